package dev.contraflow.job.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.decode.SentenceInput;
import dev.contraflow.job.sink.KafkaOutput;
import dev.contraflow.learn.Batch;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.ModelFile;
import dev.contraflow.learn.SentenceExample;
import dev.contraflow.learn.method.CpcStep;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CPC inside the learner operator: the per-sequence windows and the queue of past encodings live
 * in keyed state with the rest of the learner, so a restore continues exactly and a published
 * model file holds them.
 */
class CpcLearnerFunctionTest {

  private static final long TIMEOUT_MS = 1000;
  private static final RecordCodec<CheckpointRecord> CHECKPOINTS =
      RecordCodec.singleObject(CheckpointRecord.class);
  private static final String[] TEXT = {
      "the cat sat on the mat", "a dog barked at the postman", "rain fell on the old town",
      "she read the letter twice", "the river ran fast after the storm",
      "children played in the park", "he sold his bicycle last week", "the bread was still warm"};

  @TempDir
  Path dir;

  private JobConfig config(int publishEverySteps) {
    return JobConfigLoader.defaults(List.of("sentenceLearner.method=CPC",
        "sentenceLearner.tokenizer.buckets=512", "sentenceLearner.tokenizer.maxTokens=8",
        "sentenceLearner.encoder.width=8", "sentenceLearner.encoder.projectionHidden=16",
        "sentenceLearner.encoder.projectionDim=8", "sentenceLearner.queueSize=0",
        "sentenceLearner.batchSize=4", "sentenceLearner.cpc.queueSize=6",
        "job.batchTimeout=" + TIMEOUT_MS + "ms",
        "publish.everySteps=" + publishEverySteps,
        "publish.modelStore=" + dir.resolve("models").toUri()));
  }

  private KeyedOneInputStreamOperatorTestHarness<String, SentenceInput, KafkaOutput> harness(
      int publishEverySteps) throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(LearnerFunction.sentences(config(publishEverySteps))),
        (KeySelector<SentenceInput, String>) in -> in.modelId, Types.STRING);
  }

  /** Record i: sentence i / 2 of document i mod 2 - two documents read in parallel. */
  private static SentenceInput input(int i) {
    return new SentenceInput("s" + i, "t", TEXT[(i * 3) % TEXT.length], null, null, "sentences",
        0, i, 1000L + i).inSequence("doc" + i % 2, i / 2);
  }

  @Test
  void restoredOperatorContinuesExactlyLikeTheUninterruptedOne() throws Exception {
    // two steps, then 2 pending with a timer at the checkpoint; steps 3 and 4 after it
    var run = ExactRestore.assertContinuesExactly(() -> harness(1000),
        CpcLearnerFunctionTest::input, 10, 16, TIMEOUT_MS);
    assertEquals(8, run.uninterrupted().size(), "steps 3 and 4 of 4 sentences each");
  }

  @Test
  void publishedModelFileHoldsTheEngineFreeLearnersStateWindowsAndQueueIncluded()
      throws Exception {
    List<CheckpointRecord> published = new ArrayList<>();
    try (var h = harness(2)) {
      h.open();
      for (int i = 0; i < 8; i++) {
        h.processElement(new StreamRecord<>(input(i)));
      }
      for (KafkaOutput o : h.extractOutputValues()) {
        if (o.topic.equals("contraflow.checkpoints")) {
          published.add(CHECKPOINTS.decode(o.value));
        }
      }
    }
    assertEquals(1, published.size());
    assertEquals("CPC", published.get(0).getMethod());
    ModelFile.SentenceModel model = ModelFile.readSentenceModel(
        Path.of(URI.create(published.get(0).getUri())));

    JobConfig config = config(2);
    Learner<SentenceExample> learner = Learner.sentences(config.sentenceLearner());
    SentenceTokenizer tokenizer = new SentenceTokenizer(config.sentenceLearner().tokenizer());
    LearnerState direct = learner.initialState();
    for (int step = 0; step < 2; step++) {
      List<SentenceExample> batch = new ArrayList<>();
      for (int i = 4 * step; i < 4 * step + 4; i++) {
        batch.add(input(i).example(tokenizer));
      }
      direct = learner.step(direct, Batch.of(batch)).state();
    }
    LearnerState file = model.state();
    assertEquals(direct.networks().keySet(), file.networks().keySet());
    for (String block : List.of(LearnerState.ONLINE, CpcStep.CONTEXT, CpcStep.WINDOWS)) {
      assertArrayEquals(direct.network(block).params(), file.network(block).params(), block);
      assertArrayEquals(direct.network(block).updaterState(), file.network(block).updaterState(),
          block);
    }
    assertEquals(6, file.queueFill(), "8 sentences went through a queue of 6");
    assertArrayEquals(direct.queue().keys(), file.queue().keys());
    assertArrayEquals(direct.queue().idHashes(), file.queue().idHashes());
    assertEquals(direct.queue().writePosition(), file.queue().writePosition());
  }
}
