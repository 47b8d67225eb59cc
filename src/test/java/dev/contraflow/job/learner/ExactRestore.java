package dev.contraflow.job.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contraflow.job.sink.KafkaOutput;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * The restore contract every learner operator keeps: records {@code [0, snapshotAfter)} go in, a
 * checkpoint is taken (a micro-batch may be pending, its timer set), records {@code
 * [snapshotAfter, end)} follow and the batch timeout fires; a fresh operator restored from the
 * checkpoint and fed the same records emits the same bytes as the uninterrupted one.
 */
final class ExactRestore {

  /** A fresh, unopened harness for one operator under test. */
  interface HarnessFactory<IN> {
    KeyedOneInputStreamOperatorTestHarness<String, IN, KafkaOutput> create() throws Exception;
  }

  /** What the uninterrupted operator and the restored one emitted after the checkpoint. */
  record Continuation(List<KafkaOutput> uninterrupted, List<KafkaOutput> restored) {}

  private ExactRestore() {}

  /** Runs both operators, asserts their outputs after the checkpoint equal byte for byte. */
  static <IN> Continuation assertContinuesExactly(HarnessFactory<IN> harness,
      IntFunction<IN> record, int snapshotAfter, int end, long batchTimeoutMs) throws Exception {
    OperatorSubtaskState snapshot;
    List<KafkaOutput> uninterrupted;
    try (var h = harness.create()) {
      h.open();
      h.setProcessingTime(0);
      for (int i = 0; i < snapshotAfter; i++) {
        h.processElement(new StreamRecord<>(record.apply(i)));
      }
      snapshot = h.snapshot(1, 0);
      int before = h.extractOutputValues().size();
      feed(h, record, snapshotAfter, end, batchTimeoutMs);
      List<KafkaOutput> all = h.extractOutputValues();
      uninterrupted = List.copyOf(all.subList(before, all.size()));
    }
    List<KafkaOutput> restored;
    try (var h = harness.create()) {
      h.setProcessingTime(0);
      h.initializeState(snapshot);
      h.open();
      feed(h, record, snapshotAfter, end, batchTimeoutMs);
      restored = h.extractOutputValues();
    }
    assertEquals(uninterrupted.size(), restored.size(), "outputs after the restore");
    for (int i = 0; i < restored.size(); i++) {
      assertEquals(uninterrupted.get(i).topic, restored.get(i).topic, "output " + i + " topic");
      assertArrayEquals(uninterrupted.get(i).value, restored.get(i).value,
          "output " + i + " is bit-identical after restore");
    }
    return new Continuation(uninterrupted, restored);
  }

  private static <IN> void feed(KeyedOneInputStreamOperatorTestHarness<String, IN, KafkaOutput> h,
      IntFunction<IN> record, int from, int end, long batchTimeoutMs) throws Exception {
    for (int i = from; i < end; i++) {
      h.processElement(new StreamRecord<>(record.apply(i)));
    }
    h.setProcessingTime(batchTimeoutMs);
  }
}
