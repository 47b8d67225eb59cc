package dev.contraflow.job.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.image.IdxReader;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.job.sink.KafkaOutput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one model key cannot do to the learner operator (issue 15): grow it without bound with
 * fresh ids, or with records too large for the pending batch.
 */
class LearnerFunctionGuardsTest {

  private static final RecordCodec<EmbeddingRecord> EMBEDDINGS =
      RecordCodec.singleObject(EmbeddingRecord.class);
  private static final RecordCodec<DeadLetterRecord> DEAD_LETTERS =
      RecordCodec.singleObject(DeadLetterRecord.class);
  private static List<Image> images;

  @TempDir
  Path dir;

  @BeforeAll
  static void loadImages() throws Exception {
    images = IdxReader.readImages(Path.of(LearnerFunctionGuardsTest.class.getResource(
        "/fashion-mnist-subset/train-images-idx3-ubyte.gz").toURI()), 16);
  }

  private JobConfig config(String... more) {
    List<String> overrides = new ArrayList<>(List.of("learner.encoder.kind=GEMM_MLP",
        "learner.encoder.baseWidth=4", "learner.encoder.projectionHidden=16",
        "learner.encoder.projectionDim=8", "learner.queueSize=20",
        "learner.batchSize=4", "learner.replay.capacity=0", "learner.replay.updatesPerBatch=1",
        "job.batchTimeout=1s", "publish.everySteps=1000",
        "publish.modelStore=" + dir.resolve("models").toUri()));
    overrides.addAll(List.of(more));
    return JobConfigLoader.defaults(overrides);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, LearnerInput, KafkaOutput>
      harness(JobConfig config) throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(LearnerFunction.images(config)),
        (KeySelector<LearnerInput, String>) in -> in.modelId, Types.STRING);
  }

  private static StreamRecord<LearnerInput> record(String model, int i) {
    return new StreamRecord<>(new LearnerInput(model, images.get(i % images.size()), "images", 0,
        i, 0));
  }

  private static List<DeadLetterRecord> deadLetters(List<KafkaOutput> out) throws Exception {
    List<DeadLetterRecord> letters = new ArrayList<>();
    for (KafkaOutput o : out) {
      if (o.topic.equals("contraflow.dead-letters")) {
        letters.add(DEAD_LETTERS.decode(o.value));
      }
    }
    return letters;
  }

  private static List<String> deadLetterReasons(List<KafkaOutput> out) throws Exception {
    return deadLetters(out).stream().map(DeadLetterRecord::getReason).toList();
  }

  private static List<EmbeddingRecord> embeddings(List<KafkaOutput> out) throws Exception {
    List<EmbeddingRecord> embeddings = new ArrayList<>();
    for (KafkaOutput o : out) {
      if (o.topic.equals("contraflow.embeddings")) {
        embeddings.add(EMBEDDINGS.decode(o.value));
      }
    }
    return embeddings;
  }

  @Test
  void idsBeyondMaxKeysAreDeadLettersAndAdmittedIdsNeverAre() throws Exception {
    JobConfig config = config("model.maxKeys=2");
    OperatorSubtaskState snapshot;
    try (var h = harness(config)) {
      h.open();
      for (int i = 0; i < 4; i++) {
        for (String key : List.of("a", "b", "c")) {
          h.processElement(record(key, i));
        }
      }
      List<KafkaOutput> out = h.extractOutputValues();
      assertEquals(8, embeddings(out).size(), "a and b trained one batch each");
      assertTrue(embeddings(out).stream().noneMatch(e -> e.getModelId().equals("c")));
      List<String> refused = deadLetterReasons(out);
      assertEquals(4, refused.size(), "every record of c is a dead letter, none is lost");
      assertTrue(refused.stream().allMatch(r -> r.contains("modelId c")
          && r.contains("model.maxKeys = 2")), refused.get(0));
      DeadLetterRecord letter = deadLetters(out).get(0);
      assertEquals("images", letter.getSourceTopic());
      assertNull(letter.getValue(), "the record is still at its coordinates in its topic");
      snapshot = h.snapshot(1, 0);
    }
    try (var h = harness(config)) {
      h.initializeState(snapshot);
      h.open();
      for (int i = 0; i < 4; i++) {
        for (String key : List.of("a", "d")) {
          h.processElement(record(key, i));
        }
      }
      List<KafkaOutput> out = h.extractOutputValues();
      assertEquals(4, embeddings(out).size(), "a is still admitted after a restore");
      assertEquals(4, deadLetterReasons(out).size(), "and the count survived it: d is refused");
    }
  }

  @Test
  void aKeyFromASavepointWithoutTheCapKeepsTraining() throws Exception {
    OperatorSubtaskState snapshot;
    try (var h = harness(config("model.maxKeys=3"))) {
      h.open();
      for (int i = 0; i < 4; i++) {
        for (String key : List.of("a", "b", "c")) {
          h.processElement(record(key, i));
        }
      }
      snapshot = h.snapshot(1, 0);
    }
    try (var h = harness(config("model.maxKeys=1"))) {
      h.initializeState(snapshot);
      h.open();
      for (String key : List.of("a", "b", "c")) {
        for (int i = 0; i < 4; i++) {
          h.processElement(record(key, i));
        }
      }
      assertEquals(12, embeddings(h.extractOutputValues()).size(),
          "lowering the cap refuses new ids only");
    }
  }

  @Test
  void aBatchOfLargeImagesClosesAtMaxPendingBytesBeforeItHoldsBRecords() throws Exception {
    JobConfig config = config("learner.batchSize=8", "limits.maxPendingBytes=1048576");
    // 0.5 is no 8-bit level (b / 255f), so the images are held as floats: 360 000 bytes each,
    // three pass 1 MiB
    float[] pixels = new float[300 * 300];
    java.util.Arrays.fill(pixels, 0.5f);
    try (var h = harness(config)) {
      h.open();
      h.setProcessingTime(0);
      for (int i = 0; i < 2; i++) {
        h.processElement(new StreamRecord<>(new LearnerInput("m",
            new Image("big-" + i, 1, 300, 300, pixels), "images", 0, i, 0)));
      }
      assertTrue(h.extractOutputValues().isEmpty(), "720 000 bytes: still waiting");
      h.processElement(new StreamRecord<>(new LearnerInput("m",
          new Image("big-2", 1, 300, 300, pixels), "images", 0, 2, 0)));
      List<EmbeddingRecord> out = embeddings(h.extractOutputValues());
      assertEquals(3, out.size(), "the third image closed the batch, 5 records short of B");
      assertEquals(0, out.get(0).getModelVersion(), "embedded before its update");
    }
  }

  private static StreamRecord<LearnerInput> poisoned(String model, int offset) {
    Image like = images.get(0);
    float[] nan = new float[like.pixels().length];
    java.util.Arrays.fill(nan, Float.NaN);
    return new StreamRecord<>(new LearnerInput(model, new Image("nan-" + offset, like.channels(),
        like.height(), like.width(), nan), "images", 0, offset, 0));
  }

  @Test
  void nonFiniteStepsAreRejectedAndTooManyInARowStopTrainingButNotEmbedding() throws Exception {
    JobConfig config = config("limits.maxRejectedSteps=2");
    try (var h = harness(config)) {
      h.open();
      int offset = 0;
      for (int batch = 0; batch < 2; batch++) { // two poisoned batches: rejected, then stopped
        for (int i = 0; i < 3; i++) {
          h.processElement(record("m", offset++));
        }
        h.processElement(poisoned("m", offset++));
      }
      List<KafkaOutput> out = h.extractOutputValues();
      assertEquals(6, embeddings(out).size(), "the good records of both batches");
      assertTrue(embeddings(out).stream().allMatch(e -> e.getModelVersion() == 0),
          "embedded by the last good state: the initial one");
      List<String> reasons = deadLetterReasons(out);
      assertEquals(2, reasons.size(), "each poisoned record is one dead letter");
      assertTrue(reasons.get(0).contains("non-finite embedding"), reasons.get(0));

      h.getOutput().clear();
      for (int i = 0; i < 8; i++) {
        h.processElement(record("m", offset++));
        h.processElement(record("other", offset++));
      }
      List<EmbeddingRecord> after = embeddings(h.extractOutputValues());
      assertEquals(16, after.size(), "the stopped model still embeds, the job goes on");
      assertTrue(after.stream().filter(e -> e.getModelId().equals("m"))
          .allMatch(e -> e.getModelVersion() == 0), "m has stopped training");
      // a micro-batch is embedded before its update: the second by the first one's model
      assertEquals(List.of(0L, 1L), after.stream().filter(e -> e.getModelId().equals("other"))
          .map(EmbeddingRecord::getModelVersion).distinct().toList(),
          "another model trains as usual");
    }
  }

  @Test
  void oneRejectedStepDoesNotStopAModel() throws Exception {
    try (var h = harness(config("limits.maxRejectedSteps=2"))) {
      h.open();
      int offset = 0;
      for (int i = 0; i < 3; i++) {
        h.processElement(record("m", offset++));
      }
      h.processElement(poisoned("m", offset++));
      for (int i = 0; i < 12; i++) {
        h.processElement(record("m", offset++));
      }
      List<EmbeddingRecord> out = embeddings(h.extractOutputValues());
      // each micro-batch is embedded by the model before its own update
      assertEquals(List.of(0L, 1L, 2L), out.stream().map(EmbeddingRecord::getModelVersion)
          .distinct().toList(), "rejected at 1, then steps 1 and 2 are taken");
    }
  }
}
