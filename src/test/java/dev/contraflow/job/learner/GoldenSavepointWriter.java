package dev.contraflow.job.learner;

import static dev.contraflow.job.learner.SavepointV1Fixtures.TIMEOUT_MS;

import dev.contraflow.job.decode.KeyedInput;
import dev.contraflow.job.sink.KafkaOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wrote src/test/resources/golden/savepoint-v1-*.bin (and the embeddings the uninterrupted job
 * emitted next) once, with the learner operator of the job before issue 12's one learner frame;
 * kept to show how they were made.
 */
class GoldenSavepointWriter {

  @TempDir
  Path dir;

  @Disabled("writes the golden savepoints; run by hand only with the job they stand for")
  @Test
  void write() throws Exception {
    for (SavepointV1Fixtures.Fixture<?> f : SavepointV1Fixtures.all()) {
      write(f);
    }
  }

  private <I extends KeyedInput> void write(SavepointV1Fixtures.Fixture<I> f) throws Exception {
    try (var h = f.harness(dir.resolve(f.name()))) {
      h.open();
      h.setProcessingTime(0);
      for (int i = 0; i < f.stepped() + f.pending(); i++) {
        h.processElement(new StreamRecord<>(f.input().apply(i)));
      }
      OperatorSubtaskState snapshot = h.snapshot(1, 0);
      OperatorSnapshotUtil.writeStateHandle(snapshot, f.savepoint().toString());
      int before = h.extractOutputValues().size();
      int from = f.stepped() + f.pending();
      for (int i = from; i < from + f.continuation(); i++) {
        h.processElement(new StreamRecord<>(f.input().apply(i)));
      }
      h.setProcessingTime(TIMEOUT_MS);
      List<KafkaOutput> all = h.extractOutputValues();
      Files.write(f.nextEmbeddings(),
          SavepointV1Fixtures.embeddingLines(all.subList(before, all.size())));
    }
  }
}
