package dev.contraflow.job.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.ImageEncoding;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.io.image.EncodedImages;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.BadInput;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.source.KafkaInput;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageRecordDecoderTest {

  private final JobConfig config = JobConfigLoader.defaults(List.of());
  private final RecordCodec<ImageRecord> codec = RecordCodec.singleObject(ImageRecord.class);
  private final ImageRecordDecoder decoder = new ImageRecordDecoder(config);

  @Test
  void pngRecordBecomesLearnerInputAtTheModelsInputSizeWithItsCoordinates() throws Exception {
    ImageRecord r = ImageRecord.newBuilder().setId("cat-1").setModelId("cats")
        .setBytes(ByteBuffer.wrap(EncodedImages.greyPng(30, 20)))
        .setEventTime(Instant.ofEpochMilli(1234)).build();
    LearnerInput in = decoder.decode(input(codec.encode(r)));
    assertEquals("cat-1", in.id);
    assertEquals("cats", in.modelId);
    assertEquals(config.learner().encoder().height(), in.height, "30 x 20 cropped and resized to 28 x 28");
    assertEquals(config.learner().encoder().width(), in.width);
    assertEquals(1234, in.eventTime);
    assertEquals("images", in.sourceTopic);
    assertEquals(42, in.sourceOffset);
  }

  @Test
  void recordWithoutModelIdTrainsTheDefaultModel() throws Exception {
    ImageRecord r = ImageRecord.newBuilder().setId("a")
        .setBytes(ByteBuffer.wrap(EncodedImages.greyPng(8, 8))).setEventTime(Instant.EPOCH)
        .build();
    assertEquals(config.model().defaultId(), decoder.decode(input(codec.encode(r))).modelId);
  }

  @Test
  void everyKindOfBadInputIsRejectedWithAReasonThatNamesTheProblem() {
    Map<String, String> expected = Map.of(
        "garbage", "not an ImageRecord",
        "empty", "empty record",
        "wrong-fingerprint", "not an ImageRecord",
        "truncated-png", "PNG",
        "huge-png-header", "100000x100000",
        "rgb-into-grey-model", "has 3 channels (RGB); the model takes 1 channel (grey)",
        "empty-text", "not an ImageRecord",
        "megabyte-text", "exceeds limits.maxRecordBytes");
    Map<String, byte[]> bad = BadInput.values();
    assertEquals(expected.keySet(), bad.keySet());
    JobConfig small = JobConfigLoader.defaults(List.of("limits.maxRecordBytes=65536",
        "model.channelConversion=REFUSE"));
    ImageRecordDecoder strict = new ImageRecordDecoder(small);
    bad.forEach((name, value) -> {
      var e = assertThrows(ImageRecordDecoder.Rejected.class, () -> strict.decode(input(value)),
          name);
      assertTrue(e.getMessage().contains(expected.get(name)), name + ": " + e.getMessage());
    });
  }

  @Test
  void rgbPhotoIntoAGreyModelIsConvertedByDefault() throws Exception {
    ImageRecord rgb = ImageRecord.newBuilder().setId("rgb").setEncoding(ImageEncoding.RAW)
        .setBytes(ByteBuffer.wrap(new byte[] {(byte) 255, 0, 0})).setWidth(1).setHeight(1)
        .setChannels(3).setEventTime(Instant.EPOCH).build();

    LearnerInput in = decoder.decode(input(codec.encode(rgb)));

    assertEquals(1, in.channels);
    assertEquals(28 * 28, in.image().pixels().length);
    assertEquals(0.299f, in.image().pixels()[0], 1e-6f, "a red pixel's BT.601 luma, resized");
    assertNull(in.levels, "a blended value is no 8-bit level: the floats are kept");
  }

  @Test
  void anEightBitImageAtTheEncodersSizeTravelsAsOneBytePerPixel() throws Exception {
    byte[] raw = new byte[28 * 28];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (byte) (i * 3);
    }
    ImageRecord grey = ImageRecord.newBuilder().setId("grey").setEncoding(ImageEncoding.RAW)
        .setBytes(ByteBuffer.wrap(raw)).setWidth(28).setHeight(28).setChannels(1)
        .setEventTime(Instant.EPOCH).build();

    LearnerInput in = decoder.decode(input(codec.encode(grey)));

    assertArrayEquals(raw, in.levels);
    assertNull(in.pixels);
    assertEquals(28 * 28, in.sizeBytes());
    for (int i = 0; i < raw.length; i++) {
      assertEquals(Float.floatToRawIntBits((raw[i] & 0xff) / 255f),
          Float.floatToRawIntBits(in.image().pixels()[i]), "pixel " + i);
    }
  }

  private static KafkaInput input(byte[] value) {
    return new KafkaInput("images", 0, 42, 99, null, value);
  }
}
