package dev.contraflow.job.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void pngRecordBecomesLearnerInputWithItsCoordinates() throws Exception {
    ImageRecord r = ImageRecord.newBuilder().setId("cat-1").setModelId("cats")
        .setBytes(ByteBuffer.wrap(EncodedImages.greyPng(30, 20)))
        .setEventTime(Instant.ofEpochMilli(1234)).build();
    LearnerInput in = decoder.decode(input(codec.encode(r)));
    assertEquals("cat-1", in.id);
    assertEquals("cats", in.modelId);
    assertEquals(20, in.height);
    assertEquals(30, in.width);
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
        "rgb-into-grey-model", "3 channel(s)",
        "empty-text", "not an ImageRecord",
        "megabyte-text", "exceeds limits.maxRecordBytes");
    Map<String, byte[]> bad = BadInput.values();
    assertEquals(expected.keySet(), bad.keySet());
    JobConfig small = JobConfigLoader.defaults(List.of("limits.maxRecordBytes=65536"));
    ImageRecordDecoder strict = new ImageRecordDecoder(small);
    bad.forEach((name, value) -> {
      var e = assertThrows(ImageRecordDecoder.Rejected.class, () -> strict.decode(input(value)),
          name);
      assertTrue(e.getMessage().contains(expected.get(name)), name + ": " + e.getMessage());
    });
  }

  private static KafkaInput input(byte[] value) {
    return new KafkaInput("images", 0, 42, 99, null, value);
  }
}
