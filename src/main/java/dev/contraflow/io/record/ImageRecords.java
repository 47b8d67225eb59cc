package dev.contraflow.io.record;

import dev.contraflow.avro.ImageEncoding;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.InvalidImageException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Builds {@link ImageRecord}s for the images topic from decoded images. */
public final class ImageRecords {

  private ImageRecords() {}

  /**
   * The image as RAW 8-bit pixels (HWC, the layout {@link ImageDecoder#decodeRaw} reads): the
   * smallest exact encoding of images that came from 8-bit data, as IDX and PNG files do.
   *
   * @param modelId the model that learns from it, or null for the job's default model
   */
  /**
   * An encoded image file as it is (PNG or JPEG, which {@link #encodingOf} tells from its first
   * bytes): the job decodes and resizes it, so a photo travels at its file size.
   */
  public static ImageRecord encoded(String id, byte[] bytes, ImageEncoding encoding,
      String modelId, String source, Instant eventTime) {
    return ImageRecord.newBuilder()
        .setId(id)
        .setEncoding(encoding)
        .setBytes(ByteBuffer.wrap(bytes))
        .setModelId(modelId)
        .setSource(source)
        .setEventTime(eventTime)
        .setAttributes(Map.of())
        .build();
  }

  /** PNG or JPEG by the file's signature; empty for anything else. */
  public static Optional<ImageEncoding> encodingOf(byte[] bytes) {
    if (bytes.length >= 8 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N'
        && bytes[3] == 'G') {
      return Optional.of(ImageEncoding.PNG);
    }
    if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8
        && (bytes[2] & 0xff) == 0xff) {
      return Optional.of(ImageEncoding.JPEG);
    }
    return Optional.empty();
  }

  public static ImageRecord raw(Image image, String modelId, String source, Instant eventTime) {
    int c = image.channels();
    int h = image.height();
    int w = image.width();
    byte[] hwc = new byte[c * h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int ch = 0; ch < c; ch++) {
          float v = Math.max(0f, Math.min(1f, image.at(ch, y, x)));
          hwc[(y * w + x) * c + ch] = (byte) Math.round(v * 255f);
        }
      }
    }
    return ImageRecord.newBuilder()
        .setId(image.id())
        .setEncoding(ImageEncoding.RAW)
        .setBytes(ByteBuffer.wrap(hwc))
        .setWidth(w)
        .setHeight(h)
        .setChannels(c)
        .setModelId(modelId)
        .setSource(source)
        .setEventTime(eventTime)
        .setAttributes(Map.of())
        .build();
  }

  /** The image an ImageRecord carries (PNG/JPEG by magic bytes, or RAW with its shape). */
  public static Image decode(ImageRecord r, ImageDecoder decoder) throws InvalidImageException {
    byte[] bytes = new byte[r.getBytes().remaining()];
    r.getBytes().duplicate().get(bytes);
    if (r.getEncoding() == ImageEncoding.RAW) {
      if (r.getWidth() == null || r.getHeight() == null || r.getChannels() == null) {
        throw new InvalidImageException(r.getId(), "RAW image lacks width, height or channels");
      }
      return decoder.decodeRaw(r.getId(), bytes, r.getWidth(), r.getHeight(), r.getChannels());
    }
    return decoder.decode(r.getId(), bytes);
  }
}
