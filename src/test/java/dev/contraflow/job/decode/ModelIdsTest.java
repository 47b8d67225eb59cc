package dev.contraflow.job.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.ImageRecord;
import dev.contraflow.io.image.EncodedImages;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.config.InvalidJobConfigException;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.source.KafkaInput;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A modelId names a folder of the model store, a Flink key and metric group: it is checked. */
class ModelIdsTest {

  /** Ids a hostile or careless producer might send. */
  static List<String> hostileIds() {
    return List.of("../escape", "..", ".", "a/b", "/abs", "c:", "s3://bucket/x", "a\\b",
        "x".repeat(300), "é-model", "with space", "new\nline", "-leading-dash", "_x");
  }

  @ParameterizedTest
  @MethodSource("hostileIds")
  void hostileModelIdIsADeadLetterWithTheRule(String modelId) {
    JobConfig config = JobConfigLoader.defaults(List.of());
    ImageRecordDecoder decoder = new ImageRecordDecoder(config);
    ImageRecord r = ImageRecord.newBuilder().setId("a").setModelId(modelId)
        .setBytes(ByteBuffer.wrap(EncodedImages.greyPng(8, 8))).setEventTime(Instant.EPOCH)
        .build();
    KafkaInput in = new KafkaInput("images", 0, 1, 0, null,
        RecordCodec.singleObject(ImageRecord.class).encode(r));
    var e = assertThrows(RecordDecoder.Rejected.class, () -> decoder.decode(in));
    assertTrue(e.getMessage().startsWith("modelId "), e.getMessage());
    assertTrue(e.getMessage().contains(ModelIds.RULE), e.getMessage());
    assertTrue(e.getMessage().length() < 400, "the reason does not echo a huge id in full");
  }

  @ParameterizedTest
  @ValueSource(strings = {"default", "cats-v2", "shop.fr_1", "A", "0"})
  void ordinaryIdsAreAccepted(String id) {
    assertNull(ModelIds.problem(id));
  }

  @ParameterizedTest
  @MethodSource("hostileIds")
  void theRuleNamesWhatIsWrong(String id) {
    assertNotNull(ModelIds.problem(id));
  }

  @ParameterizedTest
  @ValueSource(strings = {"../up", "a/b", "x:y"})
  void defaultIdsFollowTheSameRule(String id) {
    var e = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("model.defaultId=" + id)));
    assertTrue(e.getMessage().contains("model.defaultId"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -3})
  void maxKeysMustBePositive(int maxKeys) {
    var e = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("model.maxKeys=" + maxKeys)));
    assertEquals(true, e.getMessage().contains("model.maxKeys"), e.getMessage());
  }
}
