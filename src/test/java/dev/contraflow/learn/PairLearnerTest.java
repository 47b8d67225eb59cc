package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
    Learner<PairExample> a = Learner.pairs(c);
    Learner<PairExample> b = Learner.pairs(c);
    Batch<PairExample> batch = Batch.of(TinyPairs.examples(6));
    StepResult ra = a.step(a.initialState(), batch);
    StepResult rb = b.step(b.initialState(), batch);
    assertArrayEquals(LearnerStateCodec.toBytes(ra.state()),
        LearnerStateCodec.toBytes(rb.state()));
    assertArrayEquals(ra.embeddings(Output.Kind.IMAGE).get(3).vector(),
        rb.embeddings(Output.Kind.IMAGE).get(3).vector());
    // and the step really moved something
    assertNotEquals(a.initialState().logitScale(), ra.state().logitScale());
    assertTrue(!Arrays.equals(a.initialState().network(LearnerState.TEXT).params(),
        ra.state().network(LearnerState.TEXT).params()));
  }

  @Test
  void aRestoredStateContinuesExactlyAsAnUninterruptedRun() throws Exception {
    PairLearnerConfig c = TinyPairs.config(0.07, 0.5);
    RestoredRun<PairExample> run = RestoredRun.of(() -> Learner.pairs(c),
        TinyPairs.examples(12));
    assertArrayEquals(LearnerStateCodec.toBytes(run.uninterrupted()),
        LearnerStateCodec.toBytes(run.restored()));
  }

  @Test
  void stateCodecRoundTripIsExact() throws Exception {
    Learner<PairExample> learner = Learner.pairs(TinyPairs.config());
    LearnerState s = learner.step(learner.initialState(),
        Batch.trainingOnly(TinyPairs.examples(6))).state();
    LearnerState back = LearnerStateCodec.fromBytes(LearnerStateCodec.toBytes(s));
    assertEquals(s.step(), back.step());
    assertEquals(s.rngState(), back.rngState());
    assertEquals(List.of(LearnerState.ONLINE, LearnerState.TEXT),
        List.copyOf(back.networks().keySet()), "the image tower, then the text tower");
    for (String name : s.networks().keySet()) {
      assertArrayEquals(s.network(name).params(), back.network(name).params(), name);
      assertArrayEquals(s.network(name).updaterState(), back.network(name).updaterState(), name);
    }
    assertNull(back.queue(), "CLIP keeps no queue");
    assertEquals(s.logitScale(), back.logitScale());
  }

  @Test
  void stateOfAnUnknownVersionOrTruncatedIsRefusedClearly() {
    byte[] future = ByteBuffer.allocate(8).putInt(LearnerStateCodec.MAGIC).putInt(7).array();
    IOException e = assertThrows(IOException.class,
        () -> LearnerStateCodec.fromBytes(future));
    assertTrue(e.getMessage().contains("format version 7 is not supported"), e.getMessage());
    byte[] whole = LearnerStateCodec.toBytes(Learner.pairs(TinyPairs.config())
        .initialState());
    IOException f = assertThrows(IOException.class,
        () -> LearnerStateCodec.fromBytes(Arrays.copyOf(whole, whole.length - 4)));
    assertTrue(f.getMessage().contains("truncated"), f.getMessage());
  }

  @Test
  void trainingAlignsImagesWithTheirCaptions() {
    Learner<PairExample> learner = Learner.pairs(TinyPairs.config().withBatchSize(12));
    Batch<PairExample> batch = Batch.trainingOnly(TinyPairs.examples(12));
    LearnerState s = learner.initialState();
    StepMetrics first = learner.step(s, batch).metrics();
    StepMetrics last = first;
    for (int i = 0; i < 40; i++) {
      StepResult r = learner.step(s, batch);
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
    Learner<PairExample> learner = Learner.pairs(TinyPairs.config().withBatchSize(12));
    Batch<PairExample> batch = Batch.trainingOnly(TinyPairs.examples(12));
    LearnerState s = learner.initialState();
    for (int i = 0; i < 30; i++) {
      s = learner.step(s, batch).state();
    }
    // at the ceiling, with Adam's momentum still carrying the scale upwards
    s = new LearnerState(s.step(), s.rngState(), s.networks(), null,
        new LogitScale(LogitScale.MAX_LOG_SCALE, -10, 1e-4));
    for (int i = 0; i < 3; i++) {
      s = learner.step(s, batch).state();
      assertTrue(s.logitScale().scale() <= 100.0, "scale " + s.logitScale().scale());
    }
    assertEquals(100.0, s.logitScale().scale(), 1e-9, "clamped, not past the ceiling");
  }

  @Test
  void bothModalitiesAreEmbeddedIntoTheSameSpace() {
    Learner<PairExample> learner = Learner.pairs(TinyPairs.config());
    List<PairExample> five = TinyPairs.examples(5);
    StepResult r = learner.step(learner.initialState(), Batch.of(five));
    assertEquals(List.of("p0", "p1", "p2", "p3", "p4"),
        r.embeddings(Output.Kind.IMAGE).stream().map(Embedding::id).toList());
    assertEquals(5, r.embeddings(Output.Kind.TEXT).size());
    for (List<Embedding> modality : List.of(r.embeddings(Output.Kind.IMAGE),
        r.embeddings(Output.Kind.TEXT))) {
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
    assertArrayEquals(r.embeddings(Output.Kind.TEXT).get(2).vector(), learner.embed(r.state(),
        List.of(PairExample.ofCaption(five.get(2).caption()))).get(0).vector(), 1e-6f);
    assertArrayEquals(r.embeddings(Output.Kind.IMAGE).get(2).vector(), learner.embed(r.state(),
        List.of(PairExample.ofImage(five.get(2).image()))).get(0).vector(), 1e-5f);
    assertEquals(List.of("p2#image", "p2#text"), r.outputs().subList(4, 6).stream()
        .map(Output::id).toList(), "a pair's two outputs, image then caption");
  }

  @Test
  void aBatchOfOneHasNoNegativeAndLeavesTheScale() {
    Learner<PairExample> learner = Learner.pairs(TinyPairs.config());
    LearnerState s0 = learner.initialState();
    StepResult r = learner.step(s0, Batch.of(TinyPairs.examples(1)));
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
