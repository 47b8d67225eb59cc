package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.image.Image;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LearnerTest {

  private static LearnerState run(Learner<Image> learner, LearnerState state, List<Batch<Image>> batches) {
    for (Batch<Image> b : batches) {
      state = learner.step(state, b).state();
    }
    return state;
  }

  private static void assertSameState(LearnerState expected, LearnerState actual) {
    assertEquals(expected.step(), actual.step());
    assertEquals(expected.rngState(), actual.rngState());
    assertEquals(expected.networks().keySet(), actual.networks().keySet());
    for (String name : expected.networks().keySet()) {
      assertArrayEquals(expected.network(name).params(), actual.network(name).params(),
          name + " parameters");
      assertArrayEquals(expected.network(name).updaterState(),
          actual.network(name).updaterState(), name + " optimiser state");
    }
    assertArrayEquals(expected.queue().keys(), actual.queue().keys(), "queue keys");
    assertArrayEquals(expected.queue().idHashes(), actual.queue().idHashes(), "queue ids");
    assertArrayEquals(expected.queue().enqueuedAt(), actual.queue().enqueuedAt(), "queue ages");
    assertEquals(expected.queue().fill(), actual.queue().fill());
    assertEquals(expected.queue().writePosition(), actual.queue().writePosition());
  }

  @Test
  void sameSeedAndInputOrderGiveBitIdenticalParameters() {
    List<Batch<Image>> batches = TinyImages.batches(TinyImages.images(40, 1), 6);
    Learner<Image> a = Learner.images(TinyImages.config());
    Learner<Image> b = Learner.images(TinyImages.config());
    LearnerState sa = run(a, a.initialState(), batches);
    LearnerState sb = run(b, b.initialState(), batches);
    assertSameState(sa, sb);
    assertFalse(Arrays.equals(a.initialState().encoderParams(), sa.encoderParams()),
        "training must change the parameters");
  }

  @Test
  void restoredMidStreamContinuesExactlyLikeAnUninterruptedRun() throws Exception {
    List<Batch<Image>> batches = TinyImages.batches(TinyImages.images(48, 2), 5);
    Learner<Image> uninterrupted = Learner.images(TinyImages.config());
    LearnerState expected = run(uninterrupted, uninterrupted.initialState(), batches);

    Learner<Image> first = Learner.images(TinyImages.config());
    LearnerState half = run(first, first.initialState(), batches.subList(0, 4));
    byte[] saved = LearnerStateCodec.toBytes(half);

    // a fresh process, as after a failure
    Learner<Image> resumed = Learner.images(TinyImages.config());
    LearnerState restored = LearnerStateCodec.fromBytes(saved);
    assertSameState(half, restored);
    assertSameState(expected, run(resumed, restored, batches.subList(4, batches.size())));
  }

  @Test
  void stepIsAFunctionOfItsInputStateNotOfTheLearnersHistory() {
    List<Batch<Image>> batches = TinyImages.batches(TinyImages.images(18, 3), 6);
    Learner<Image> learner = Learner.images(TinyImages.config());
    LearnerState s0 = learner.initialState();
    LearnerState s1 = learner.step(s0, batches.get(0)).state();
    learner.step(s1, batches.get(1)); // move the networks on
    LearnerState again = learner.step(s0, batches.get(0)).state(); // replay from s0
    assertSameState(s1, again);
  }

  @Test
  void queueFillsAcrossRaggedBatchesAndWrapsAround() {
    Learner<Image> learner = Learner.images(TinyImages.config()); // K = 20
    LearnerState s = learner.initialState();
    int[] sizes = {7, 1, 9, 6};
    int seen = 0;
    List<Image> images = TinyImages.images(23, 4);
    for (int size : sizes) {
      StepResult r = learner.step(s, Batch.of(images.subList(seen, seen + size)));
      s = r.state();
      seen += size;
      assertEquals(Math.min(20, seen), r.metrics().queueFill());
      assertEquals(size, r.embeddings().size());
    }
    assertEquals(23 % 20, s.queue().writePosition());
  }

  @Test
  void embeddingsAreUnitVectorsTaggedWithTheNewModelVersion() {
    Learner<Image> learner = Learner.images(TinyImages.config());
    StepResult r = learner.step(learner.initialState(), Batch.of(TinyImages.images(6, 5)));
    assertEquals(6, r.embeddings().size());
    for (Embedding e : r.embeddings()) {
      assertEquals(1L, e.modelVersion());
      assertEquals(TinyImages.config().encoder().representationDim(), e.vector().length);
      double norm = 0;
      for (float v : e.vector()) {
        norm += v * v;
      }
      assertEquals(1.0, Math.sqrt(norm), 1e-5);
    }
    assertEquals("img-0", r.embeddings().get(0).id());
  }

  @Test
  void metricsAreFiniteOnceTheQueueHasNegatives() {
    Learner<Image> learner = Learner.images(TinyImages.config());
    List<Batch<Image>> batches = TinyImages.batches(TinyImages.images(24, 6), 6);
    StepMetrics m = null;
    LearnerState s = learner.initialState();
    for (Batch<Image> b : batches) {
      StepResult r = learner.step(s, b);
      s = r.state();
      m = r.metrics();
    }
    assertTrue(m.loss() > 0 && Double.isFinite(m.loss()), "loss " + m.loss());
    assertTrue(Double.isFinite(m.negativeSimilarity()));
    assertTrue(m.alignment() >= 0 && m.alignment() <= 4);
    assertTrue(m.uniformity() < 0);
    assertTrue(m.embeddingStd() > 0);
    assertTrue(m.queueMeanAge() > 0);
    assertTrue(m.samplesPerSecond() > 0);
    assertEquals(4, m.step());
  }

  @Test
  void imageWithTheWrongChannelCountIsRejectedWithItsId() {
    Learner<Image> learner = Learner.images(TinyImages.config());
    Image rgb = new Image("colour-1", 3, 12, 12, new float[3 * 144]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> learner.step(learner.initialState(), Batch.of(List.of(rgb))));
    assertTrue(e.getMessage().contains("colour-1"), e.getMessage());
  }

  @Test
  void differentSeedsGiveDifferentViewsAndParameters() {
    List<Batch<Image>> batches = TinyImages.batches(TinyImages.images(12, 7), 6);
    Learner<Image> a = Learner.images(TinyImages.config());
    Learner<Image> b = Learner.images(TinyImages.config().withSeed(99));
    // same initial weights (encoder seed), different view seeds: training must diverge
    assertArrayEquals(a.initialState().encoderParams(), b.initialState().encoderParams());
    assertFalse(Arrays.equals(run(a, a.initialState(), batches).encoderParams(),
        run(b, b.initialState(), batches).encoderParams()));
  }
}
