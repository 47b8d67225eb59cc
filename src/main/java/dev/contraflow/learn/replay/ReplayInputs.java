package dev.contraflow.learn.replay;

import dev.contraflow.io.Image;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** How each modality's records are stored in a replay buffer: their codec and size in bytes. */
public final class ReplayInputs {

  /** Object and array headers and references a stored record carries beside its payload. */
  static final long RECORD_OVERHEAD_BYTES = 64;

  private ReplayInputs() {}

  /**
   * Heap bytes of a buffered image: its float pixels, its id's characters and the overhead (an
   * estimate that bounds the real footprint from above for ids of Latin-1 characters).
   */
  public static long imageBytes(Image image) {
    return 4L * image.pixels().length + 2L * image.id().length() + RECORD_OVERHEAD_BYTES;
  }

  /** Images bit-identically: id, channels, height, width, pixels by their raw bits. */
  public static final ReplayBufferCodec.ItemCodec<Image> IMAGES =
      new ReplayBufferCodec.ItemCodec<>() {
        @Override
        public void write(DataOutput out, Image image) throws IOException {
          out.writeUTF(image.id());
          out.writeByte(image.channels());
          out.writeInt(image.height());
          out.writeInt(image.width());
          for (float p : image.pixels()) {
            out.writeInt(Float.floatToRawIntBits(p));
          }
        }

        @Override
        public Image read(DataInput in) throws IOException {
          String id = in.readUTF();
          int channels = in.readByte();
          int height = in.readInt();
          int width = in.readInt();
          long n = (long) channels * height * width;
          if (channels < 1 || height < 1 || width < 1 || n > 1 << 26) {
            throw new IOException("buffered image " + id + " is corrupt (" + channels + "x"
                + height + "x" + width + ")");
          }
          float[] pixels = new float[(int) n];
          for (int i = 0; i < pixels.length; i++) {
            pixels[i] = Float.intBitsToFloat(in.readInt());
          }
          try {
            return new Image(id, channels, height, width, pixels);
          } catch (IllegalArgumentException e) {
            throw new IOException("buffered image is corrupt: " + e.getMessage(), e);
          }
        }
      };
}
