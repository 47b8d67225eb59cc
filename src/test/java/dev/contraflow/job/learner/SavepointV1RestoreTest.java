package dev.contraflow.job.learner;

import static dev.contraflow.job.learner.SavepointV1Fixtures.TIMEOUT_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.contraflow.job.decode.KeyedInput;
import dev.contraflow.job.sink.KafkaOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A savepoint written by the job before issue 12's one learner frame restores into today's learner
 * operator, for every modality, and the job goes on exactly as the old one did: the same records
 * after the restore give bit-identical embeddings of the same model versions.
 */
class SavepointV1RestoreTest {

  @TempDir
  Path dir;

  @Test
  void imageSentenceAndPairSavepointsOfTheOldJobRestoreAndContinueBitIdentically()
      throws Exception {
    for (SavepointV1Fixtures.Fixture<?> f : SavepointV1Fixtures.all()) {
      List<String> expected = Files.readAllLines(f.nextEmbeddings());
      assertFalse(expected.isEmpty(), f.name() + ": the fixture holds the next embeddings");
      assertEquals(expected, continueFromSavepoint(f), f.name() + " savepoint (v1 state)");
    }
  }

  private <I extends KeyedInput> List<String> continueFromSavepoint(
      SavepointV1Fixtures.Fixture<I> f) throws Exception {
    try (var h = f.harness(dir.resolve(f.name()))) {
      h.setProcessingTime(0);
      h.initializeState(OperatorSnapshotUtil.readStateHandle(f.savepoint().toString()));
      h.open();
      int from = f.stepped() + f.pending();
      for (int i = from; i < from + f.continuation(); i++) {
        h.processElement(new StreamRecord<>(f.input().apply(i)));
      }
      h.setProcessingTime(TIMEOUT_MS);
      List<KafkaOutput> out = h.extractOutputValues();
      return SavepointV1Fixtures.embeddingLines(out);
    }
  }
}
