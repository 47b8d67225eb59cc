package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.text.SentenceTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentenceLearnerTest {

  @Test
  void theSameStateAndBatchGiveBitIdenticalResults() {
    SentenceLearnerConfig c = TinySentences.config(Method.ESIMCSE, 16);
    Learner<SentenceExample> a = Learner.sentences(c);
    Learner<SentenceExample> b = Learner.sentences(c);
    Batch<SentenceExample> batch = Batch.of(TinySentences.examples(6));
    StepResult ra = a.step(a.initialState(), batch);
    StepResult rb = b.step(b.initialState(), batch);
    assertArrayEquals(ra.state().encoderParams(), rb.state().encoderParams());
    assertArrayEquals(ra.state().network(LearnerState.ONLINE).updaterState(),
        rb.state().network(LearnerState.ONLINE).updaterState());
    assertArrayEquals(ra.state().queue().keys(), rb.state().queue().keys());
    assertEquals(ra.state().rngState(), rb.state().rngState());
  }

  @Test
  void aRestoredStateContinuesExactlyAsAnUninterruptedRun() throws Exception {
    SentenceLearnerConfig c = TinySentences.config(Method.ESIMCSE, 16);
    Learner<SentenceExample> learner = Learner.sentences(c);
    List<SentenceExample> all = TinySentences.examples(12);
    LearnerState s = learner.initialState();
    LearnerState restored = null;
    for (int i = 0; i < 4; i++) {
      s = learner.step(s, Batch.trainingOnly(all.subList(3 * i, 3 * i + 3))).state();
      if (i == 1) {
        restored = LearnerStateCodec.fromBytes(LearnerStateCodec.toBytes(s));
      }
    }
    Learner<SentenceExample> fresh = Learner.sentences(c);
    for (int i = 2; i < 4; i++) {
      restored = fresh.step(restored, Batch.trainingOnly(all.subList(3 * i, 3 * i + 3)))
          .state();
    }
    assertArrayEquals(s.encoderParams(), restored.encoderParams());
    assertArrayEquals(s.network(LearnerState.MOMENTUM).params(),
        restored.network(LearnerState.MOMENTUM).params());
    assertArrayEquals(s.queue().keys(), restored.queue().keys());
  }

  @Test
  void queueTakesMomentumKeysOfRaggedBatches() {
    Learner<SentenceExample> learner = Learner.sentences(TinySentences.config(Method.ESIMCSE, 7));
    List<SentenceExample> all = TinySentences.examples(12);
    StepResult r = learner.step(learner.initialState(), Batch.of(all.subList(0, 5)));
    assertEquals(5, r.state().queue().fill());
    r = learner.step(r.state(), Batch.of(all.subList(5, 10)));
    assertEquals(7, r.state().queue().fill());
    assertEquals(5, r.embeddings().size());
    float[] v = r.embeddings().get(0).vector();
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    assertEquals(1.0, norm, 1e-4);
    assertEquals("s5", r.embeddings().get(0).id());
    assertEquals(2, r.embeddings().get(0).modelVersion());
  }

  @Test
  void withoutAQueueOnlyInBatchNegativesAreUsed() {
    Learner<SentenceExample> learner = Learner.sentences(TinySentences.config(Method.SIMCSE, 0));
    List<SentenceExample> all = TinySentences.examples(6);
    StepResult r = learner.step(learner.initialState(), Batch.of(all));
    r = learner.step(r.state(), Batch.of(all));
    assertNull(r.state().queue(), "no queue is kept");
    assertEquals(0, r.metrics().queueFill());
    assertTrue(Double.isFinite(r.metrics().loss()));
  }

  @Test
  void trainingPullsTheTwoViewsOfASentenceTogether() {
    for (Method method : new Method[] {Method.SIMCSE, Method.ESIMCSE, Method.CONSERT}) {
      Learner<SentenceExample> learner = Learner.sentences(TinySentences.config(method, 12));
      List<SentenceExample> all = TinySentences.examples(12);
      LearnerState s = learner.initialState();
      StepMetrics first = learner.step(s, Batch.trainingOnly(all)).metrics();
      StepMetrics last = first;
      for (int i = 0; i < 40; i++) {
        StepResult r = learner.step(s, Batch.trainingOnly(all));
        s = r.state();
        last = r.metrics();
      }
      assertTrue(last.loss() < first.loss() - 0.5,
          method + ": loss " + first.loss() + " -> " + last.loss());
    }
  }

  @Test
  void supervisedRecordsUseTheirEntailmentAndContradiction() throws Exception {
    Learner<SentenceExample> learner = Learner.sentences(TinySentences.config(Method.SIMCSE, 0));
    SentenceTokenizer t = TinySentences.tokenizer();
    List<SentenceExample> batch = List.of(
        new SentenceExample(t.tokenize("p1", "a man is playing a guitar"),
            t.tokenize("e1", "a person plays music"), t.tokenize("c1", "nobody is playing")),
        new SentenceExample(t.tokenize("p2", "two dogs run in a field"),
            t.tokenize("e2", "animals are outside"), null),
        SentenceExample.of(t.tokenize("p3", "the sun is setting")));
    StepResult r = learner.step(learner.initialState(), Batch.of(batch));
    assertTrue(Double.isFinite(r.metrics().loss()));
    assertEquals(List.of("p1", "p2", "p3"),
        r.embeddings().stream().map(Embedding::id).toList(), "one embedding per record");
  }
}
