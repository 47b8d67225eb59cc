package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.image.Image;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one learner frame never takes a step that leaves a NaN or an infinity behind (issue 15):
 * the state stays the last good one and the batch is still embedded, by that state.
 */
class NonFiniteStepTest {

  /** An image whose pixels are NaN: its views, features and loss are NaN too. */
  private static Image poisoned(String id) {
    float[] px = new float[TinyImages.SIZE * TinyImages.SIZE];
    Arrays.fill(px, Float.NaN);
    return new Image(id, 1, TinyImages.SIZE, TinyImages.SIZE, px);
  }

  @Test
  void aNonFiniteStepIsRejectedAndTheBatchEmbeddedByTheLastGoodState() {
    Learner<Image> learner = Learner.images(TinyImages.config());
    List<Image> images = TinyImages.images(18, 3);
    LearnerState good = learner.step(learner.initialState(),
        Batch.of(images.subList(0, 6))).state();

    List<Image> hostile = new ArrayList<>(images.subList(6, 11));
    hostile.add(poisoned("nan"));
    StepResult r = learner.step(good, Batch.of(hostile));

    assertTrue(r.rejected());
    assertTrue(r.rejection().contains("step 2 rejected") && r.rejection().contains("loss is NaN"),
        r.rejection());
    assertSame(good, r.state(), "the state stays the last good one");
    assertEquals(6, r.outputs().size(), "every record still gets its embedding");
    List<Embedding> byGood = learner.embed(good, hostile.subList(0, 5));
    for (int i = 0; i < 5; i++) {
      assertEquals(1, r.outputs().get(i).embedding().modelVersion());
      // within rounding: a batch of five is multiplied in other blocks than one of six
      assertArrayEquals(byGood.get(i).vector(), r.outputs().get(i).embedding().vector(), 1e-5f,
          "record " + i + " is embedded by the last good state");
    }

    StepResult next = learner.step(r.state(), Batch.of(images.subList(12, 18)));
    assertFalse(next.rejected(), "a good batch afterwards trains as usual");
    assertNull(next.rejection());
    assertEquals(2, next.state().step());
    assertTrue(NonFiniteGuard.allFinite(next.state().encoderParams()));
  }

  @Test
  void clipRejectsANonFiniteStepInsteadOfFailingOnItsLogitScale() {
    Learner<PairExample> learner = Learner.pairs(TinyPairs.config());
    LearnerState start = learner.initialState();
    List<PairExample> pairs = new ArrayList<>(TinyPairs.examples(4));
    PairExample first = pairs.get(0);
    pairs.set(0, new PairExample(first.id(), poisoned(first.id()), first.caption()));

    StepResult r = learner.step(start, Batch.of(pairs));

    assertTrue(r.rejected(), "no exception: the step is rejected");
    assertSame(start, r.state());
    assertEquals(start.logitScale(), r.state().logitScale());
    assertEquals(8, r.outputs().size(), "image and caption of every pair");
  }

  @Test
  void theGuardReadsTheQueueAndEveryNetwork() {
    Learner<Image> learner = Learner.images(TinyImages.config());
    LearnerState s = learner.initialState();
    assertNull(NonFiniteGuard.problem(0.5, s));
    assertEquals("loss is Infinity", NonFiniteGuard.problem(Double.POSITIVE_INFINITY, s));
    s.network(LearnerState.MOMENTUM).params()[3] = Float.NaN; // a test may break the contract
    assertEquals("parameters of the momentum network are not finite",
        NonFiniteGuard.problem(0.5, s));
  }
}
