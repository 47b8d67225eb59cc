package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.DocumentFrequencySketch;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.encoder.SentencePooling;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.learn.replay.ReplayConfig;
import dev.contraflow.learn.replay.ReplayPolicy;
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
    List<SentenceExample> all = TinySentences.examples(12);
    RestoredRun<SentenceExample> run = RestoredRun.of(() -> Learner.sentences(c), all);
    LearnerState s = run.uninterrupted();
    LearnerState restored = run.restored();
    assertArrayEquals(s.encoderParams(), restored.encoderParams());
    assertArrayEquals(s.network(LearnerState.MOMENTUM).params(),
        restored.network(LearnerState.MOMENTUM).params());
    assertArrayEquals(s.queue().keys(), restored.queue().keys());
  }

  @Test
  void withSifPoolingAndReplayARestoredStateContinuesExactly() throws Exception {
    assertRestoredStateContinuesExactly(TinySentences.config(Method.ESIMCSE, 16).withSifA(0.01)
        .withReplay(new ReplayConfig(8, ReplayConfig.DEFAULT_MAX_BYTES, ReplayPolicy.RESERVOIR, 3,
            0.5)));
  }

  @Test
  void withIdfPoolingARestoredStateContinuesExactly() throws Exception {
    assertRestoredStateContinuesExactly(TinySentences.config(Method.ESIMCSE, 16)
        .withPooling(SentencePooling.IDF));
  }

  @Test
  void withTheHashedBagAndRowWiseAdagradARestoredStateContinuesExactly() throws Exception {
    assertRestoredStateContinuesExactly(TinySentences.hashedBag(Method.ESIMCSE, 16,
        OptimizerConfig.Kind.ADAGRAD));
  }

  @Test
  void withTheHashedBagAndLazyAdamARestoredStateContinuesExactly() throws Exception {
    assertRestoredStateContinuesExactly(TinySentences.hashedBag(Method.ESIMCSE, 16,
        OptimizerConfig.Kind.ADAM));
  }

  @Test
  void withTheDefaultsShapeOnSupervisedPairsARestoredStateContinuesExactly() throws Exception {
    assertRestoredStateContinuesExactly(TinySentences.simCseOnHashedBag(),
        TinySentences.pairs(12));
  }

  /**
   * At momentum 0 without a queue the momentum encoder would copy the encoder after every update:
   * the state keeps the table once, and embeds as the copy did. The copy is reproduced by a
   * cosine schedule from m = 0 over 10^12 steps, whose m stays below 10^-20 here: in float each
   * EMA then writes the encoder's own values.
   */
  @Test
  void atMomentumZeroTheStateHoldsNoCopyOfTheEncoderAndEmbedsAsTheCopyDid() throws Exception {
    SentenceLearnerConfig plain = TinySentences.simCseOnHashedBag();
    SentenceLearnerConfig copied = new SentenceLearnerConfig(plain.method(), plain.tokenizer(),
        plain.encoder(), plain.optimizer(), 0, plain.temperature(),
        new MomentumUpdate(0, MomentumUpdate.Schedule.COSINE, 1_000_000_000_000L),
        plain.duplicationRate(), plain.deletionRate(), plain.batchSize(), plain.seed(), null, 0,
        plain.pooling());
    List<SentenceExample> all = TinySentences.pairs(12);
    Learner<SentenceExample> withoutCopy = Learner.sentences(plain);
    Learner<SentenceExample> withCopy = Learner.sentences(copied);
    LearnerState a = withoutCopy.initialState();
    LearnerState b = withCopy.initialState();
    assertFalse(a.networks().containsKey(LearnerState.MOMENTUM));
    assertTrue(b.networks().containsKey(LearnerState.MOMENTUM));
    for (int i = 0; i < all.size(); i += plain.batchSize()) {
      List<SentenceExample> batch = all.subList(i, Math.min(all.size(), i + plain.batchSize()));
      a = withoutCopy.step(a, Batch.trainingOnly(batch)).state();
      b = withCopy.step(b, Batch.trainingOnly(batch)).state();
    }
    assertArrayEquals(b.network(LearnerState.MOMENTUM).params(), a.encoderParams(),
        "the copy is the encoder, bit for bit");
    assertArrayEquals(withCopy.embedAll(b, all), withoutCopy.embedAll(a, all));
    assertTrue(LearnerStateCodec.toBytes(b).length - LearnerStateCodec.toBytes(a).length
        >= Float.BYTES * a.encoderParams().length, "the table is kept once");
  }

  private static void assertRestoredStateContinuesExactly(SentenceLearnerConfig c)
      throws Exception {
    assertRestoredStateContinuesExactly(c, TinySentences.examples(12));
  }

  /**
   * Parameters, optimiser state, document-frequency sketch and embeddings equal after a restore
   * mid-run.
   */
  private static void assertRestoredStateContinuesExactly(SentenceLearnerConfig c,
      List<SentenceExample> all) throws Exception {
    RestoredRun<SentenceExample> run = RestoredRun.of(() -> Learner.sentences(c), all);
    LearnerState s = run.uninterrupted();
    LearnerState restored = run.restored();
    assertArrayEquals(s.encoderParams(), restored.encoderParams());
    assertArrayEquals(s.network(LearnerState.ONLINE).updaterState(),
        restored.network(LearnerState.ONLINE).updaterState());
    assertArrayEquals(s.network(LearnerState.DOCUMENT_FREQUENCIES).params(),
        restored.network(LearnerState.DOCUMENT_FREQUENCIES).params());
    assertArrayEquals(run.fresh().embedAll(restored, all), run.learner().embedAll(s, all));
  }

  @Test
  void idfPoolingWeighsWordsDifferentlyFromSif() {
    List<SentenceExample> all = TinySentences.examples(12);
    SentenceLearnerConfig base = TinySentences.config(Method.ESIMCSE, 16);
    Learner<SentenceExample> idf = Learner.sentences(base.withPooling(SentencePooling.IDF));
    Learner<SentenceExample> sif = Learner.sentences(base.withSifA(0.01));
    LearnerState counted = idf.step(idf.initialState(), Batch.trainingOnly(all)).state();
    assertFalse(java.util.Arrays.equals(idf.embedAll(counted, all.subList(0, 1))[0],
            sif.embedAll(counted, all.subList(0, 1))[0]),
        "the same networks and counts: only the token weights differ, and they should");
  }

  @Test
  void poolingDefaultsFromSifAsBeforeThePoolingSetting() {
    SentenceLearnerConfig c = TinySentences.config(Method.ESIMCSE, 16);
    assertEquals(SentencePooling.MEAN, c.pooling());
    assertEquals(SentencePooling.SIF, c.withSifA(0.01).pooling());
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> c.withPooling(SentencePooling.SIF));
    assertTrue(e.getMessage().contains("sifA"), e.getMessage());
    IllegalArgumentException ignored = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> c.withSifA(0.01).withPooling(SentencePooling.IDF));
    assertTrue(ignored.getMessage().contains("set pooling SIF"), ignored.getMessage());
  }

  @Test
  void sifPoolingCountsEverySentenceItTrainsOn() {
    SentenceLearnerConfig c = TinySentences.config(Method.ESIMCSE, 16).withSifA(0.01)
        .withReplay(new ReplayConfig(8, ReplayConfig.DEFAULT_MAX_BYTES, ReplayPolicy.FIFO, 3,
            0.5));
    Learner<SentenceExample> learner = Learner.sentences(c);
    LearnerState s = learner.step(learner.initialState(),
        Batch.trainingOnly(TinySentences.examples(6))).state();
    // 3 updates of 6 records: the first all incoming (the buffer is empty), then 3 + 3 replayed
    assertEquals(18, new DocumentFrequencySketch(
        s.network(LearnerState.DOCUMENT_FREQUENCIES).params()).documents());
    LearnerState mean = Learner.sentences(TinySentences.config(Method.ESIMCSE, 16))
        .initialState();
    assertFalse(mean.networks().containsKey(LearnerState.DOCUMENT_FREQUENCIES),
        "mean pooling keeps no sketch: its states are those of models before SIF");
  }

  @Test
  void sifPoolingWeighsAWordByHowManySentencesHoldIt() {
    SentenceLearnerConfig c = TinySentences.config(Method.ESIMCSE, 16).withSifA(0.01);
    Learner<SentenceExample> sif = Learner.sentences(c);
    Learner<SentenceExample> mean = Learner.sentences(TinySentences.config(Method.ESIMCSE, 16));
    List<SentenceExample> all = TinySentences.examples(12);
    LearnerState counted = sif.step(sif.initialState(), Batch.trainingOnly(all)).state();
    // the same networks under both poolings: only the token weights differ
    LearnerState asMean = new LearnerState(counted.step(), counted.rngState(),
        java.util.Map.of(LearnerState.ONLINE, counted.network(LearnerState.ONLINE),
            LearnerState.MOMENTUM, counted.network(LearnerState.MOMENTUM)),
        counted.queue(), null, null);
    float[][] a = sif.embedAll(counted, all.subList(0, 1));
    float[][] b = mean.embedAll(asMean, all.subList(0, 1));
    assertFalse(java.util.Arrays.equals(a[0], b[0]),
        "\"the\" holds in most sentences, so SIF should weigh it down and move the embedding");
    assertArrayEquals(sif.embedAll(sif.initialState(), all.subList(0, 1))[0],
        mean.embedAll(mean.initialState(), all.subList(0, 1))[0], 1e-6f,
        "before any sentence is counted every weight is 1: mean pooling");
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
