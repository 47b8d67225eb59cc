package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.SentenceTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentenceLearnerTest {

  @Test
  void theSameStateAndBatchGiveBitIdenticalResults() {
    SentenceLearnerConfig c = TinySentences.config(Method.ESIMCSE, 16);
    SentenceLearner a = new SentenceLearner(c);
    SentenceLearner b = new SentenceLearner(c);
    SentenceBatch batch = SentenceBatch.of(TinySentences.examples(a, 6));
    StepResult ra = a.step(a.initialState(), batch);
    StepResult rb = b.step(b.initialState(), batch);
    assertArrayEquals(ra.state().encoderParams(), rb.state().encoderParams());
    assertArrayEquals(ra.state().updaterState(), rb.state().updaterState());
    assertArrayEquals(ra.state().queue().keys(), rb.state().queue().keys());
    assertEquals(ra.state().rngState(), rb.state().rngState());
  }

  @Test
  void aRestoredStateContinuesExactlyAsAnUninterruptedRun() throws Exception {
    SentenceLearnerConfig c = TinySentences.config(Method.ESIMCSE, 16);
    SentenceLearner learner = new SentenceLearner(c);
    List<SentenceExample> all = TinySentences.examples(learner, 12);
    LearnerState s = learner.initialState();
    LearnerState restored = null;
    for (int i = 0; i < 4; i++) {
      s = learner.step(s, SentenceBatch.trainingOnly(all.subList(3 * i, 3 * i + 3))).state();
      if (i == 1) {
        restored = LearnerStateCodec.fromBytes(LearnerStateCodec.toBytes(s));
      }
    }
    SentenceLearner fresh = new SentenceLearner(c);
    for (int i = 2; i < 4; i++) {
      restored = fresh.step(restored, SentenceBatch.trainingOnly(all.subList(3 * i, 3 * i + 3)))
          .state();
    }
    assertArrayEquals(s.encoderParams(), restored.encoderParams());
    assertArrayEquals(s.momentumParams(), restored.momentumParams());
    assertArrayEquals(s.queue().keys(), restored.queue().keys());
  }

  @Test
  void queueTakesMomentumKeysOfRaggedBatches() {
    SentenceLearner learner = new SentenceLearner(TinySentences.config(Method.ESIMCSE, 7));
    List<SentenceExample> all = TinySentences.examples(learner, 12);
    StepResult r = learner.step(learner.initialState(), SentenceBatch.of(all.subList(0, 5)));
    assertEquals(5, r.state().queue().fill());
    r = learner.step(r.state(), SentenceBatch.of(all.subList(5, 10)));
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
    SentenceLearner learner = new SentenceLearner(TinySentences.config(Method.SIMCSE, 0));
    List<SentenceExample> all = TinySentences.examples(learner, 6);
    StepResult r = learner.step(learner.initialState(), SentenceBatch.of(all));
    r = learner.step(r.state(), SentenceBatch.of(all));
    assertEquals(0, r.state().queue().fill());
    assertTrue(Double.isFinite(r.metrics().loss()));
  }

  @Test
  void trainingPullsTheTwoViewsOfASentenceTogether() {
    for (Method method : new Method[] {Method.SIMCSE, Method.ESIMCSE, Method.CONSERT}) {
      SentenceLearner learner = new SentenceLearner(TinySentences.config(method, 12));
      List<SentenceExample> all = TinySentences.examples(learner, 12);
      LearnerState s = learner.initialState();
      StepMetrics first = learner.step(s, SentenceBatch.trainingOnly(all)).metrics();
      StepMetrics last = first;
      for (int i = 0; i < 40; i++) {
        StepResult r = learner.step(s, SentenceBatch.trainingOnly(all));
        s = r.state();
        last = r.metrics();
      }
      assertTrue(last.loss() < first.loss() - 0.5,
          method + ": loss " + first.loss() + " -> " + last.loss());
    }
  }

  @Test
  void supervisedRecordsUseTheirEntailmentAndContradiction() throws Exception {
    SentenceLearner learner = new SentenceLearner(TinySentences.config(Method.SIMCSE, 0));
    SentenceTokenizer t = learner.tokenizer();
    List<SentenceExample> batch = List.of(
        new SentenceExample(t.tokenize("p1", "a man is playing a guitar"),
            t.tokenize("e1", "a person plays music"), t.tokenize("c1", "nobody is playing")),
        new SentenceExample(t.tokenize("p2", "two dogs run in a field"),
            t.tokenize("e2", "animals are outside"), null),
        SentenceExample.of(t.tokenize("p3", "the sun is setting")));
    StepResult r = learner.step(learner.initialState(), SentenceBatch.of(batch));
    assertTrue(Double.isFinite(r.metrics().loss()));
    assertEquals(List.of("p1", "p2", "p3"),
        r.embeddings().stream().map(Embedding::id).toList(), "one embedding per record");
  }
}
