package dev.contraflow.job.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.CheckpointStatus;
import dev.contraflow.avro.EmbeddingKind;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.image.IdxReader;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.job.sink.KafkaOutput;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateObject;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Refreshed embeddings (issue 13) in the learner operator under Flink's test harness: the live
 * set, the refresh a published checkpoint makes of it, its completion record, its resumption
 * after a restore, and the health gates in front of publishing.
 */
class RefreshTest {

  private static final RecordCodec<EmbeddingRecord> EMBEDDINGS =
      RecordCodec.singleObject(EmbeddingRecord.class);
  private static final RecordCodec<CheckpointRecord> CHECKPOINTS =
      RecordCodec.singleObject(CheckpointRecord.class);
  private static List<Image> images;

  @TempDir
  Path dir;

  @BeforeAll
  static void loadImages() throws Exception {
    images = IdxReader.readImages(Path.of(RefreshTest.class.getResource(
        "/fashion-mnist-subset/train-images-idx3-ubyte.gz").toURI()), 40);
  }

  /** B = 8, a checkpoint every 2 steps, refreshes of 5 records per timer firing. */
  private JobConfig config(String... overrides) {
    List<String> all = new ArrayList<>(List.of("learner.encoder.kind=CNN",
        "learner.encoder.baseWidth=4", "learner.encoder.projectionHidden=16",
        "learner.encoder.projectionDim=8", "learner.queueSize=20", "learner.batchSize=8",
        "learner.replay.capacity=0", "learner.replay.updatesPerBatch=1",
        "job.batchTimeout=1h", "publish.everySteps=2", "publish.gates.sampleSize=8", "refresh.enabled=true", "refresh.chunk=5",
        "publish.modelStore=" + dir.resolve("models").toUri()));
    all.addAll(List.of(overrides));
    return JobConfigLoader.defaults(all);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, LearnerInput, KafkaOutput>
      harness(JobConfig config) throws Exception {
    var h = new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(LearnerFunction.images(config)),
        (KeySelector<LearnerInput, String>) in -> in.modelId, Types.STRING);
    h.setProcessingTime(0);
    return h;
  }

  /** Image {@code i} of the subset under the id {@code "id" + id}. */
  private static StreamRecord<LearnerInput> record(int id, int image) {
    Image im = images.get(image);
    return new StreamRecord<>(new LearnerInput("m", new Image("id" + id, im.channels(),
        im.height(), im.width(), im.pixels()), "images", 0, id, 0));
  }

  private static void send(KeyedOneInputStreamOperatorTestHarness<String, LearnerInput,
      KafkaOutput> h, IntStream ids) throws Exception {
    for (int id : ids.toArray()) {
      h.processElement(record(id, id % images.size()));
    }
  }

  /** Fires timers one millisecond at a time until the model's refresh is complete. */
  private static void refreshUntilComplete(KeyedOneInputStreamOperatorTestHarness<String,
      LearnerInput, KafkaOutput> h) throws Exception {
    for (int tick = 0; tick < 1000 && complete(h.extractOutputValues()).isEmpty(); tick++) {
      h.setProcessingTime(h.getProcessingTime() + 1);
    }
  }

  private static List<EmbeddingRecord> embeddings(List<KafkaOutput> outputs, EmbeddingKind kind)
      throws Exception {
    List<EmbeddingRecord> out = new ArrayList<>();
    for (KafkaOutput o : outputs) {
      if (o.topic.endsWith("embeddings")) {
        EmbeddingRecord e = EMBEDDINGS.decode(o.value);
        if (e.getKind() == kind) {
          out.add(e);
        }
      }
    }
    return out;
  }

  private static List<CheckpointRecord> checkpoints(List<KafkaOutput> outputs,
      CheckpointStatus status) throws Exception {
    List<CheckpointRecord> out = new ArrayList<>();
    for (KafkaOutput o : outputs) {
      if (o.topic.endsWith("checkpoints")) {
        CheckpointRecord c = CHECKPOINTS.decode(o.value);
        if (c.getStatus() == status) {
          out.add(c);
        }
      }
    }
    return out;
  }

  private static List<CheckpointRecord> complete(List<KafkaOutput> outputs) throws Exception {
    return checkpoints(outputs, CheckpointStatus.COMPLETE);
  }

  private static Map<String, Long> countsById(List<EmbeddingRecord> embeddings) {
    return embeddings.stream().collect(Collectors.groupingBy(e -> e.getId(),
        Collectors.counting()));
  }

  private static List<String> ids(IntStream ids) {
    return ids.mapToObj(i -> "id" + i).sorted().toList();
  }

  @Test
  void aPublishedCheckpointReEmbedsEveryLiveIdOnceThenSaysItsVersionIsComplete()
      throws Exception {
    try (var h = harness(config())) {
      h.open();
      send(h, IntStream.range(0, 16)); // steps 1 and 2: version 2 is published
      CheckpointRecord published = checkpoints(h.extractOutputValues(),
          CheckpointStatus.PUBLISHED).get(0);
      assertEquals(2, published.getModelVersion());
      assertTrue(published.getMetrics().get("gate.stdRatio") >= 0.01,
          "the gates' figures travel with the record: " + published.getMetrics());
      assertTrue(embeddings(h.extractOutputValues(), EmbeddingKind.REFRESH).isEmpty(),
          "the refresh runs on timers, after the step");

      refreshUntilComplete(h);
      List<EmbeddingRecord> refreshed = embeddings(h.extractOutputValues(),
          EmbeddingKind.REFRESH);
      assertEquals(ids(IntStream.range(0, 16)), refreshed.stream().map(e -> e.getId().toString())
          .sorted().toList(), "every live id exactly once");
      assertTrue(refreshed.stream().allMatch(e -> e.getModelVersion() == 2
          && published.getSha256().equals(e.getCheckpointId())),
          "each carries the published version and its checkpoint id");
      CheckpointRecord done = complete(h.extractOutputValues()).get(0);
      assertEquals(2, done.getModelVersion());
      assertEquals(published.getSha256(), done.getSha256());
      assertEquals(16L, done.getEmbeddings());
      KafkaOutput last = h.extractOutputValues().get(h.extractOutputValues().size() - 1);
      assertTrue(last.topic.endsWith("checkpoints"), "the completion record comes last");
      assertEquals(16, embeddings(h.extractOutputValues(), EmbeddingKind.NEW).size(),
          "every record still has its own embedding");
    }
  }

  @Test
  void learningGoesOnBetweenChunksAndAnIdReSentMidRefreshIsRefreshedOnce() throws Exception {
    try (var h = harness(config())) {
      h.open();
      send(h, IntStream.range(0, 16));
      h.setProcessingTime(1); // first chunk: id0..id4
      assertEquals(5, embeddings(h.extractOutputValues(), EmbeddingKind.REFRESH).size());
      send(h, IntStream.range(0, 8)); // step 3, mid-refresh: id0..id7 again
      int newBeforeComplete = embeddings(h.extractOutputValues(), EmbeddingKind.NEW).size();
      assertEquals(24, newBeforeComplete, "step 3 trained and embedded before the refresh ends");

      refreshUntilComplete(h);
      Map<String, Long> refreshed = countsById(embeddings(h.extractOutputValues(),
          EmbeddingKind.REFRESH));
      assertEquals(ids(IntStream.range(0, 16)), refreshed.keySet().stream().sorted().toList());
      assertTrue(refreshed.values().stream().allMatch(n -> n == 1), "once each: " + refreshed);
      assertEquals(16L, complete(h.extractOutputValues()).get(0).getEmbeddings());
    }
  }

  @Test
  void theLiveSetKeepsTheMostRecentlySeenIdsWithinItsCount() throws Exception {
    try (var h = harness(config("refresh.maxRecords=10"))) {
      h.open();
      send(h, IntStream.range(0, 16));
      refreshUntilComplete(h);
      assertEquals(ids(IntStream.range(6, 16)), embeddings(h.extractOutputValues(),
          EmbeddingKind.REFRESH).stream().map(e -> e.getId().toString()).sorted().toList());
      assertEquals(10L, complete(h.extractOutputValues()).get(0).getEmbeddings());
    }
  }

  @Test
  void idsNotSeenForLongerThanTheTtlLeaveTheLiveSet() throws Exception {
    try (var h = harness(config("refresh.ttl=2s"))) {
      h.open();
      send(h, IntStream.range(0, 8)); // at 0 ms
      h.setProcessingTime(5_000);
      send(h, IntStream.range(8, 16)); // at 5 s: id0..id7 have expired
      refreshUntilComplete(h);
      assertEquals(ids(IntStream.range(8, 16)), embeddings(h.extractOutputValues(),
          EmbeddingKind.REFRESH).stream().map(e -> e.getId().toString()).sorted().toList());
    }
  }

  @Test
  void theOffSwitchKeepsNoLiveSetAndRefreshesNothing() throws Exception {
    try (var h = harness(config("refresh.enabled=false"))) {
      h.open();
      send(h, IntStream.range(0, 16));
      h.setProcessingTime(1_000);
      assertEquals(1, checkpoints(h.extractOutputValues(), CheckpointStatus.PUBLISHED).size());
      assertTrue(embeddings(h.extractOutputValues(), EmbeddingKind.REFRESH).isEmpty());
      assertTrue(complete(h.extractOutputValues()).isEmpty());
    }
  }

  /**
   * What a read_committed reader sees across a failure: the outputs up to the snapshot (the
   * transaction committed with it), then whatever the restored operator emits; what the failed
   * one emitted after the snapshot is aborted.
   */
  @Test
  void aFailureMidRefreshResumesFromTheCheckpointWithoutDuplicatesOrGaps() throws Exception {
    OperatorSubtaskState snapshot;
    List<KafkaOutput> committed;
    List<KafkaOutput> uninterrupted;
    try (var h = harness(config())) {
      h.open();
      send(h, IntStream.range(0, 16));
      h.setProcessingTime(1);
      h.setProcessingTime(2); // two chunks: id0..id9 refreshed
      snapshot = h.snapshot(1, 2);
      committed = new ArrayList<>(h.extractOutputValues());
      h.setProcessingTime(3); // emitted, then lost with the failure
      refreshUntilComplete(h);
      uninterrupted = h.extractOutputValues();
    }
    assertEquals(10, embeddings(committed, EmbeddingKind.REFRESH).size());
    List<KafkaOutput> resumed;
    try (var h = harness(config())) {
      h.initializeState(snapshot);
      h.setProcessingTime(2);
      h.open();
      refreshUntilComplete(h);
      resumed = h.extractOutputValues();
    }
    List<EmbeddingRecord> seen = Stream.concat(
        embeddings(committed, EmbeddingKind.REFRESH).stream(),
        embeddings(resumed, EmbeddingKind.REFRESH).stream()).toList();
    Map<String, Long> perId = countsById(seen);
    assertEquals(ids(IntStream.range(0, 16)), perId.keySet().stream().sorted().toList(),
        "no gap");
    assertTrue(perId.values().stream().allMatch(n -> n == 1), "no duplicate: " + perId);
    assertEquals(16L, complete(resumed).get(0).getEmbeddings(),
        "the count survives the restore");
    Map<String, EmbeddingRecord> expected = embeddings(uninterrupted, EmbeddingKind.REFRESH)
        .stream().collect(Collectors.toMap(e -> e.getId().toString(), Function.identity()));
    for (EmbeddingRecord e : seen) {
      assertEquals(expected.get(e.getId().toString()).getVector(), e.getVector(),
          e.getId() + " is embedded by the same published model after the restore");
    }
  }

  private static long keyedStateBytes(OperatorSubtaskState snapshot) {
    return snapshot.getManagedKeyedState().stream().mapToLong(StateObject::getStateSize).sum();
  }

  /**
   * The refreshing model stays on the subtask, out of the checkpoints (issue 20: each one wrote
   * the networks again while a refresh ran); a restore reads it back from the model store, as
   * the test above shows with the same vectors.
   */
  @Test
  void aCheckpointTakenMidRefreshDoesNotHoldTheRefreshingModel() throws Exception {
    try (var h = harness(config())) {
      h.open();
      send(h, IntStream.range(0, 16));
      h.setProcessingTime(1); // one chunk of 5 taken: the refresh is under way
      long midRefresh = keyedStateBytes(h.snapshot(1, 1));
      refreshUntilComplete(h);
      long afterRefresh = keyedStateBytes(h.snapshot(2, h.getProcessingTime()));
      long model = checkpoints(h.extractOutputValues(), CheckpointStatus.PUBLISHED).get(0)
          .getSizeBytes();
      assertTrue(midRefresh - afterRefresh < model / 4, "mid-refresh " + midRefresh
          + " bytes, after it " + afterRefresh + ", the model file " + model);
    }
  }

  /**
   * A store that lost or changed the refresh's published file after a checkpoint: the restored
   * refresh cannot embed by that version, and failing the task would fail every restart the same
   * way. The refresh is abandoned (that version never completes, as a superseded one) and the
   * job goes on embedding and training.
   */
  @Test
  void aRefreshWhoseModelTheStoreChangedIsAbandonedAndTheJobGoesOn() throws Exception {
    OperatorSubtaskState snapshot;
    String uri;
    try (var h = harness(config())) {
      h.open();
      send(h, IntStream.range(0, 16));
      h.setProcessingTime(1);
      snapshot = h.snapshot(1, 1);
      uri = checkpoints(h.extractOutputValues(), CheckpointStatus.PUBLISHED).get(0).getUri()
          .toString();
    }
    Files.write(Path.of(URI.create(uri)), new byte[] {1, 2, 3});
    try (var h = harness(config())) {
      h.initializeState(snapshot);
      h.setProcessingTime(1);
      h.open();
      refreshUntilComplete(h);
      assertTrue(complete(h.extractOutputValues()).isEmpty(), "the version never completes");
      assertTrue(embeddings(h.extractOutputValues(), EmbeddingKind.REFRESH).isEmpty(),
          "nothing is refreshed by a model the store no longer has");
      send(h, IntStream.range(16, 24));
      h.setProcessingTime(h.getProcessingTime() + 1_000);
      assertEquals(IntStream.range(16, 24).mapToObj(i -> "id" + i).toList(),
          embeddings(h.extractOutputValues(), EmbeddingKind.NEW).stream()
              .map(e -> e.getId().toString()).toList(),
          "the records after the restore are embedded, one each");
    }
  }

  @Test
  void aCollapsedCheckpointIsRejectedWithItsReasonAndIsNeitherCurrentNorRefreshed()
      throws Exception {
    // every record the same image: the gate sample's embeddings have no spread at all
    try (var h = harness(config())) {
      h.open();
      for (int id = 0; id < 16; id++) {
        h.processElement(record(id, 0));
      }
      h.setProcessingTime(1_000);
      List<CheckpointRecord> rejected = checkpoints(h.extractOutputValues(),
          CheckpointStatus.REJECTED);
      assertEquals(1, rejected.size());
      assertTrue(rejected.get(0).getReason().toString().startsWith("collapsed"),
          rejected.get(0).getReason().toString());
      assertTrue(checkpoints(h.extractOutputValues(), CheckpointStatus.PUBLISHED).isEmpty());
      assertTrue(embeddings(h.extractOutputValues(), EmbeddingKind.REFRESH).isEmpty(),
          "a rejected version is not refreshed");
      assertTrue(embeddings(h.extractOutputValues(), EmbeddingKind.NEW).stream()
          .allMatch(e -> e.getCheckpointId() == null), "no version became current");

      for (int id = 16; id < 24; id++) { // step 3: not due again until step 4
        h.processElement(record(id, 0));
      }
      assertEquals(1, checkpoints(h.extractOutputValues(), CheckpointStatus.REJECTED).size());
    }
  }

  @Test
  void afterARejectionThePreviousVersionStaysCurrent() throws Exception {
    OperatorSubtaskState afterVersion2;
    String version2;
    try (var h = harness(config())) {
      h.open();
      send(h, IntStream.range(0, 16));
      refreshUntilComplete(h);
      version2 = checkpoints(h.extractOutputValues(), CheckpointStatus.PUBLISHED).get(0)
          .getSha256().toString();
      afterVersion2 = h.snapshot(1, h.getProcessingTime());
    }
    // the same job restored with a collapse threshold no model reaches
    try (var h = harness(config("publish.gates.minStdRatio=0.999"))) {
      h.initializeState(afterVersion2);
      h.open();
      send(h, IntStream.range(16, 32)); // steps 3 and 4: version 4 is due
      h.setProcessingTime(h.getProcessingTime() + 1_000);
      List<KafkaOutput> out = h.extractOutputValues();
      assertEquals(4, checkpoints(out, CheckpointStatus.REJECTED).get(0).getModelVersion());
      assertTrue(checkpoints(out, CheckpointStatus.PUBLISHED).isEmpty());
      assertTrue(embeddings(out, EmbeddingKind.NEW).stream()
          .allMatch(e -> version2.equals(e.getCheckpointId().toString())),
          "every embedding still names version 2 as the current checkpoint");
      assertTrue(embeddings(out, EmbeddingKind.REFRESH).isEmpty());
    }
  }

  @Test
  void aConfiguredLabelledProbeMeasuresEveryCandidateAndItsAccuracyTravelsWithTheRecord()
      throws Exception {
    Path probe = Path.of(RefreshTest.class.getResource(
        "/fashion-mnist-subset/t10k-images-idx3-ubyte.gz").toURI());
    try (var h = harness(config("publish.gates.probe.images=" + probe,
        "publish.gates.probe.limit=40", "publish.gates.probe.k=5"))) {
      h.open();
      send(h, IntStream.range(0, 16));
      CheckpointRecord published = checkpoints(h.extractOutputValues(),
          CheckpointStatus.PUBLISHED).get(0);
      double accuracy = published.getMetrics().get("gate.probeAccuracy");
      assertTrue(accuracy > 0 && accuracy <= 1, "kNN accuracy on 20 queries: " + accuracy);
    }
  }

  @Test
  void withoutAProbeNoProbeAccuracyIsMeasured() throws Exception {
    try (var h = harness(config())) {
      h.open();
      send(h, IntStream.range(0, 16));
      assertTrue(!checkpoints(h.extractOutputValues(), CheckpointStatus.PUBLISHED).get(0)
          .getMetrics().containsKey("gate.probeAccuracy"));
    }
  }
}
