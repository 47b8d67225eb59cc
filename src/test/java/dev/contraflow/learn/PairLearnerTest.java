package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.contrast.LogitScale;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairLearnerTest {

  @Test
  void theSameStateAndBatchGiveBitIdenticalStates() {
    PairLearnerConfig c = TinyPairs.config(0.07, 0.5); // with crops and dropout drawn
    PairLearner a = new PairLearner(c);
    PairLearner b = new PairLearner(c);
    PairBatch batch = PairBatch.of(TinyPairs.examples(a, 6));
    PairStepResult ra = a.step(a.initialState(), batch);
    PairStepResult rb = b.step(b.initialState(), batch);
    assertArrayEquals(PairLearnerStateCodec.toBytes(ra.state()),
        PairLearnerStateCodec.toBytes(rb.state()));
    assertArrayEquals(ra.imageEmbeddings().get(3).vector(), rb.imageEmbeddings().get(3).vector());
    // and the step really moved something
    assertNotEquals(a.initialState().logitScale(), ra.state().logitScale());
    assertTrue(!Arrays.equals(a.initialState().textParams(), ra.state().textParams()));
  }

  @Test
  void aRestoredStateContinuesExactlyAsAnUninterruptedRun() throws Exception {
    PairLearnerConfig c = TinyPairs.config(0.07, 0.5);
    PairLearner learner = new PairLearner(c);
    List<PairExample> all = TinyPairs.examples(learner, 12);
    PairLearnerState s = learner.initialState();
    PairLearnerState restored = null;
    for (int i = 0; i < 4; i++) {
      s = learner.step(s, PairBatch.trainingOnly(all.subList(3 * i, 3 * i + 3))).state();
      if (i == 1) {
        restored = PairLearnerStateCodec.fromBytes(PairLearnerStateCodec.toBytes(s));
      }
    }
    PairLearner fresh = new PairLearner(c);
    for (int i = 2; i < 4; i++) {
      restored = fresh.step(restored, PairBatch.trainingOnly(all.subList(3 * i, 3 * i + 3)))
          .state();
    }
    assertArrayEquals(PairLearnerStateCodec.toBytes(s), PairLearnerStateCodec.toBytes(restored));
  }

  @Test
  void stateCodecRoundTripIsExact() throws Exception {
    PairLearner learner = new PairLearner(TinyPairs.config());
    PairLearnerState s = learner.step(learner.initialState(),
        PairBatch.trainingOnly(TinyPairs.examples(learner, 6))).state();
    PairLearnerState back = PairLearnerStateCodec.fromBytes(PairLearnerStateCodec.toBytes(s));
    assertEquals(s.step(), back.step());
    assertEquals(s.rngState(), back.rngState());
    assertArrayEquals(s.imageParams(), back.imageParams());
    assertArrayEquals(s.imageUpdaterState(), back.imageUpdaterState());
    assertArrayEquals(s.textParams(), back.textParams());
    assertArrayEquals(s.textUpdaterState(), back.textUpdaterState());
    assertEquals(s.logitScale(), back.logitScale());
  }

  @Test
  void stateOfAnUnknownVersionOrTruncatedIsRefusedClearly() {
    byte[] future = ByteBuffer.allocate(8).putInt(PairLearnerStateCodec.MAGIC).putInt(7).array();
    IOException e = assertThrows(IOException.class,
        () -> PairLearnerStateCodec.fromBytes(future));
    assertTrue(e.getMessage().contains("format version 7 is not supported"), e.getMessage());
    byte[] whole = PairLearnerStateCodec.toBytes(new PairLearner(TinyPairs.config())
        .initialState());
    IOException f = assertThrows(IOException.class,
        () -> PairLearnerStateCodec.fromBytes(Arrays.copyOf(whole, whole.length - 4)));
    assertTrue(f.getMessage().contains("truncated"), f.getMessage());
  }

  @Test
  void trainingAlignsImagesWithTheirCaptions() {
    PairLearner learner = new PairLearner(TinyPairs.config().withBatchSize(12));
    PairBatch batch = PairBatch.trainingOnly(TinyPairs.examples(learner, 12));
    PairLearnerState s = learner.initialState();
    StepMetrics first = learner.step(s, batch).metrics();
    StepMetrics last = first;
    for (int i = 0; i < 40; i++) {
      PairStepResult r = learner.step(s, batch);
      s = r.state();
      last = r.metrics();
    }
    // 11 distinct captions among 12 pairs: chance is ln 12 = 2.48
    assertTrue(last.loss() < first.loss() - 1.0, "loss " + first.loss() + " -> " + last.loss());
    assertTrue(last.positiveSimilarity() > last.negativeSimilarity() + 0.3,
        "pairs " + last.positiveSimilarity() + " vs others " + last.negativeSimilarity());
  }

  @Test
  void theLogitScaleStaysClampedAtOneHundred() {
    PairLearner learner = new PairLearner(TinyPairs.config().withBatchSize(12));
    PairBatch batch = PairBatch.trainingOnly(TinyPairs.examples(learner, 12));
    PairLearnerState s = learner.initialState();
    for (int i = 0; i < 30; i++) {
      s = learner.step(s, batch).state();
    }
    // at the ceiling, with Adam's momentum still carrying the scale upwards
    s = new PairLearnerState(s.step(), s.rngState(), s.imageParams(), s.imageUpdaterState(),
        s.textParams(), s.textUpdaterState(), new LogitScale(LogitScale.MAX_LOG_SCALE, -10, 1e-4));
    for (int i = 0; i < 3; i++) {
      s = learner.step(s, batch).state();
      assertTrue(s.logitScale().scale() <= 100.0, "scale " + s.logitScale().scale());
    }
    assertEquals(100.0, s.logitScale().scale(), 1e-9, "clamped, not past the ceiling");
  }

  @Test
  void bothModalitiesAreEmbeddedIntoTheSameSpace() {
    PairLearner learner = new PairLearner(TinyPairs.config());
    List<PairExample> five = TinyPairs.examples(learner, 5);
    PairStepResult r = learner.step(learner.initialState(), PairBatch.of(five));
    assertEquals(List.of("p0", "p1", "p2", "p3", "p4"),
        r.imageEmbeddings().stream().map(Embedding::id).toList());
    assertEquals(5, r.textEmbeddings().size());
    for (List<Embedding> modality : List.of(r.imageEmbeddings(), r.textEmbeddings())) {
      Embedding e = modality.get(0);
      assertEquals(8, e.vector().length);
      assertEquals(1, e.modelVersion());
      double norm = 0;
      for (float x : e.vector()) {
        norm += x * x;
      }
      assertEquals(1.0, norm, 1e-4);
    }
    // the step's embeddings are those of the state it returns
    assertArrayEquals(r.textEmbeddings().get(2).vector(), learner.embedTexts(r.state(),
        List.of(five.get(2).caption())).get(0).vector(), 1e-6f);
    assertArrayEquals(r.imageEmbeddings().get(2).vector(), learner.embedImages(r.state(),
        List.of(five.get(2).image())).get(0).vector(), 1e-5f);
  }

  @Test
  void aBatchOfOneHasNoNegativeAndLeavesTheScale() {
    PairLearner learner = new PairLearner(TinyPairs.config());
    PairLearnerState s0 = learner.initialState();
    PairStepResult r = learner.step(s0, PairBatch.of(TinyPairs.examples(learner, 1)));
    assertEquals(0.0, r.metrics().loss(), 1e-9);
    assertEquals(s0.logitScale().logScale(), r.state().logitScale().logScale(), 1e-12);
  }

  @Test
  void encodersOfDifferentDimensionsAreRefused() {
    PairLearnerConfig c = TinyPairs.config();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PairLearnerConfig(c.image(), c.tokenizer(), c.text().withHead(32, 16),
            c.optimizer(), 0.07, 1.0, 6, 5L));
    assertTrue(e.getMessage().contains("same dimension"), e.getMessage());
  }
}
