package dev.contraflow.job.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.IdxReader;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.job.sink.KafkaOutput;
import dev.contraflow.learn.Method;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The learner operator alone, under Flink's test harness: batching, timers, snapshot/restore. */
class LearnerFunctionTest {

  private static final long TIMEOUT_MS = 1000;
  private static final RecordCodec<EmbeddingRecord> EMBEDDINGS =
      RecordCodec.singleObject(EmbeddingRecord.class);
  private static List<Image> images;

  @TempDir
  Path dir;

  @BeforeAll
  static void loadImages() throws Exception {
    images = IdxReader.readImages(Path.of(LearnerFunctionTest.class.getResource(
        "/fashion-mnist-subset/train-images-idx3-ubyte.gz").toURI()), 40);
  }

  private JobConfig config() {
    return config(Method.MOCO);
  }

  private JobConfig config(Method method) {
    return config(method, EncoderKind.CNN);
  }

  private JobConfig config(Method method, EncoderKind encoder) {
    return JobConfigLoader.defaults(List.of("learner.method=" + method,
        "learner.temperature=" + method.defaultTemperature(), "learner.encoder.kind=" + encoder,
        "learner.encoder.baseWidth=4", "learner.encoder.projectionHidden=16",
        "learner.encoder.projectionDim=8", "learner.queueSize=20",
        "learner.batchSize=8", "learner.replay.capacity=0", "learner.replay.updatesPerBatch=1",
        "job.batchTimeout=" + TIMEOUT_MS + "ms", "publish.everySteps=1000",
        "publish.modelStore=" + dir.resolve("models").toUri()));
  }

  private KeyedOneInputStreamOperatorTestHarness<String, LearnerInput, KafkaOutput> harness()
      throws Exception {
    return harness(Method.MOCO);
  }

  private KeyedOneInputStreamOperatorTestHarness<String, LearnerInput, KafkaOutput> harness(
      Method method) throws Exception {
    return harness(method, EncoderKind.CNN);
  }

  private KeyedOneInputStreamOperatorTestHarness<String, LearnerInput, KafkaOutput> harness(
      Method method, EncoderKind encoder) throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(LearnerFunction.images(config(method, encoder))),
        (KeySelector<LearnerInput, String>) in -> in.modelId, Types.STRING);
  }

  private static StreamRecord<LearnerInput> record(String model, int i) {
    return new StreamRecord<>(new LearnerInput(model, images.get(i), "images", 0, i, 0));
  }

  private static List<EmbeddingRecord> embeddings(List<KafkaOutput> outputs) throws Exception {
    List<EmbeddingRecord> out = new ArrayList<>();
    for (KafkaOutput o : outputs) {
      out.add(EMBEDDINGS.decode(o.value));
    }
    return out;
  }

  @Test
  void fullMicroBatchIsTrainedOnAtOnceAndEveryRecordGetsItsEmbedding() throws Exception {
    try (var h = harness()) {
      h.open();
      for (int i = 0; i < 7; i++) {
        h.processElement(record("m", i));
      }
      assertTrue(h.extractOutputValues().isEmpty(), "7 of 8: still waiting");
      h.processElement(record("m", 7));
      List<EmbeddingRecord> out = embeddings(h.extractOutputValues());
      assertEquals(8, out.size());
      assertTrue(out.stream().allMatch(e -> e.getModelVersion() == 1 && e.getModelId()
          .equals("m")));
      assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7"),
          out.stream().map(EmbeddingRecord::getId).toList());
    }
  }

  @Test
  void partialMicroBatchIsTrainedOnWhenItsTimeoutFires() throws Exception {
    try (var h = harness()) {
      h.open();
      h.setProcessingTime(0);
      for (int i = 0; i < 3; i++) {
        h.processElement(record("m", i));
      }
      h.setProcessingTime(TIMEOUT_MS - 1);
      assertTrue(h.extractOutputValues().isEmpty(), "not yet");
      h.setProcessingTime(TIMEOUT_MS);
      assertEquals(3, embeddings(h.extractOutputValues()).size(), "a slow stream is not stuck");
    }
  }

  @Test
  void eachModelKeyLearnsOnItsOwn() throws Exception {
    try (var h = harness()) {
      h.open();
      for (int i = 0; i < 16; i++) {
        h.processElement(record(i % 2 == 0 ? "a" : "b", i));
      }
      List<EmbeddingRecord> out = embeddings(h.extractOutputValues());
      assertEquals(16, out.size());
      assertTrue(out.stream().allMatch(e -> e.getModelVersion() == 1),
          "8 records per key: one step each");
    }
  }

  @Test
  void restoredOperatorContinuesExactlyLikeTheUninterruptedOne() throws Exception {
    OperatorSubtaskState snapshot;
    List<KafkaOutput> uninterrupted;
    try (var h = harness()) {
      h.open();
      h.setProcessingTime(0);
      for (int i = 0; i < 12; i++) { // one step, then 4 records pending with a timer
        h.processElement(record("m", i));
      }
      snapshot = h.snapshot(1, 0);
      int before = h.extractOutputValues().size();
      for (int i = 12; i < 28; i++) {
        h.processElement(record("m", i));
      }
      h.setProcessingTime(TIMEOUT_MS);
      uninterrupted = h.extractOutputValues().subList(before, h.extractOutputValues().size());
    }
    List<KafkaOutput> restored;
    try (var h = harness()) {
      h.setProcessingTime(0);
      h.initializeState(snapshot);
      h.open();
      for (int i = 12; i < 28; i++) {
        h.processElement(record("m", i));
      }
      h.setProcessingTime(TIMEOUT_MS);
      restored = h.extractOutputValues();
    }
    assertEquals(20, uninterrupted.size(), "steps 2 and 3, then 4 by timeout");
    assertEquals(uninterrupted.size(), restored.size());
    for (int i = 0; i < restored.size(); i++) {
      assertArrayEquals(uninterrupted.get(i).value, restored.get(i).value,
          "embedding " + i + " is bit-identical after restore");
    }
    assertEquals(4, embeddings(restored).get(19).getModelVersion());
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"SIMCLR", "MOCO_V3", "BYOL", "SIMSIAM", "INSTDISC",
      "SWAV", "DINO", "CMC"})
  void everyImageMethodTrainsInFlinkAndRestoresBitIdentically(Method method) throws Exception {
    assertTrainsInFlinkAndRestoresBitIdentically(method, EncoderKind.CNN);
  }

  /** MoCo v3 with a ViT (issue 17): the VIT encoder's step inside the operator. */
  @Test
  void mocoV3OnAVitTrainsInFlinkAndRestoresBitIdentically() throws Exception {
    assertTrainsInFlinkAndRestoresBitIdentically(Method.MOCO_V3, EncoderKind.VIT);
  }

  private void assertTrainsInFlinkAndRestoresBitIdentically(Method method, EncoderKind encoder)
      throws Exception {
    OperatorSubtaskState snapshot;
    List<KafkaOutput> uninterrupted;
    try (var h = harness(method, encoder)) {
      h.open();
      for (int i = 0; i < 8; i++) {
        h.processElement(record("m", i));
      }
      snapshot = h.snapshot(1, 0);
      for (int i = 8; i < 24; i++) {
        h.processElement(record("m", i));
      }
      uninterrupted = h.extractOutputValues().subList(8, 24);
    }
    List<KafkaOutput> restored;
    try (var h = harness(method, encoder)) {
      h.initializeState(snapshot);
      h.open();
      for (int i = 8; i < 24; i++) {
        h.processElement(record("m", i));
      }
      restored = h.extractOutputValues();
    }
    assertEquals(16, restored.size());
    for (int i = 0; i < restored.size(); i++) {
      assertArrayEquals(uninterrupted.get(i).value, restored.get(i).value,
          method + ": embedding " + i + " is bit-identical after restore");
    }
    assertEquals(3, embeddings(restored).get(15).getModelVersion());
  }

  @Test
  void restoredPendingBatchStillTimesOut() throws Exception {
    OperatorSubtaskState snapshot;
    try (var h = harness()) {
      h.open();
      h.setProcessingTime(0);
      for (int i = 0; i < 5; i++) {
        h.processElement(record("m", i));
      }
      snapshot = h.snapshot(1, 0);
    }
    try (var h = harness()) {
      h.setProcessingTime(0);
      h.initializeState(snapshot);
      h.open();
      h.setProcessingTime(TIMEOUT_MS);
      assertEquals(5, embeddings(h.extractOutputValues()).size(),
          "the pending records and their timer survive a restore");
    }
  }
}
