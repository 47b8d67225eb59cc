package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.image.Image;
import dev.contraflow.learn.replay.ReplayConfig;
import dev.contraflow.learn.replay.ReplayInputs;
import dev.contraflow.learn.replay.ReplayPolicy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The learner frame with a replay buffer and several gradient steps per micro-batch, for images,
 * sentences and image-text pairs.
 */
class LearnerReplayTest {

  /** A buffer of 10 records, half of each step's batch replayed. */
  private static ReplayConfig replay(ReplayPolicy policy, int updatesPerBatch) {
    return new ReplayConfig(10, 1 << 20, policy, updatesPerBatch, 0.5);
  }

  private static Learner<Image> images(ReplayPolicy policy, int updatesPerBatch) {
    return Learner.images(TinyImages.config().withReplay(replay(policy, updatesPerBatch)));
  }

  /** Runs the batches from {@code state} and returns the final state. */
  private static <I> LearnerState run(Learner<I> learner, LearnerState state,
      List<Batch<I>> batches) {
    for (Batch<I> b : batches) {
      state = learner.step(state, b).state();
    }
    return state;
  }

  private static <I> List<Batch<I>> batches(List<I> records, int size) {
    List<Batch<I>> out = new ArrayList<>();
    for (int i = 0; i < records.size(); i += size) {
      out.add(Batch.of(records.subList(i, Math.min(records.size(), i + size))));
    }
    return out;
  }

  /** Every output of a step has the id of a record of its batch, each record exactly once. */
  private static <I> void assertOneEmbeddingPerRecord(Learner<I> learner, LearnerState state,
      List<Batch<I>> batches, int updatesPerBatch) {
    for (Batch<I> batch : batches) {
      StepResult r = learner.step(state, batch);
      assertEquals(batch.size(), r.outputs().size(), "one output per incoming record");
      for (int i = 0; i < batch.size(); i++) {
        assertEquals(i, r.outputs().get(i).input());
      }
      assertEquals(state.step() + updatesPerBatch, r.state().step(),
          updatesPerBatch + " gradient steps per micro-batch");
      r.embeddings().forEach(e -> assertEquals(r.state().step(), e.modelVersion(),
          "embedded by the model after the last update"));
      state = r.state();
    }
  }

  @Test
  void everyIncomingImageGetsExactlyOneEmbeddingWhateverTheUpdatesPerBatch() {
    Learner<Image> learner = images(ReplayPolicy.MIN_REDUNDANCY, 3);
    List<Batch<Image>> batches = TinyImages.batches(TinyImages.images(18, 1), 6); // full: B = 6
    assertOneEmbeddingPerRecord(learner, learner.initialState(), batches, 3);
    LearnerState end = run(learner, learner.initialState(), batches);
    assertEquals(10, end.replay().buffer().size(), "the buffer fills to its capacity");
    assertEquals(18, end.replay().buffer().offered());
    assertEquals(ReplayInputs.IMAGES, end.replay().inputs());
  }

  /**
   * A stream slower than B records per batch timeout: micro-batches of 1 or 2 records at B = 6
   * and 3 updates per batch owe 3 updates per 6 records, as full micro-batches do; each record
   * still gets one embedding, by the model as the step left it (moved or not).
   */
  @Test
  void smallMicroBatchesTakeUpdatesInProportionAndEveryRecordStillGetsOneEmbedding() {
    Learner<Image> learner = images(ReplayPolicy.RESERVOIR, 3);
    LearnerState state = learner.initialState();
    List<Image> images = TinyImages.images(18, 7);
    List<Integer> updates = new ArrayList<>();
    for (int i = 0; i < images.size(); ) {
      int n = updates.size() % 2 == 0 ? 1 : 2;
      Batch<Image> batch = Batch.of(images.subList(i, i + n));
      StepResult r = learner.step(state, batch);
      assertEquals(n, r.outputs().size(), "one output per incoming record");
      assertEquals(state.step() + r.updates(), r.state().step());
      r.embeddings().forEach(e -> assertEquals(r.state().step(), e.modelVersion()));
      updates.add(r.updates());
      state = r.state();
      i += n;
    }
    // owed record-updates (6 an update): 3 (none), 3 + 6 (one, 3 left), 3 + 3 (one), 6 (one)
    assertEquals(List.of(0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1), updates);
    assertEquals(9, state.step(), "18 records owe 3 x 18 / 6 updates");
    assertEquals(0, state.replay().updateCredit());
  }

  @Test
  void restoredStateWithAnUpdateCreditContinuesExactlyLikeAnUninterruptedRun() throws Exception {
    // B = 6, micro-batches of 5, 3 updates per batch: after three the state owes 3 of 6
    List<Batch<Image>> batches = TinyImages.batches(TinyImages.images(30, 8), 5);
    Learner<Image> learner = images(ReplayPolicy.RESERVOIR, 3);
    assertEquals(3, run(learner, learner.initialState(), batches.subList(0, 3)).replay()
        .updateCredit());
    assertRestoredStateContinuesExactly(learner, images(ReplayPolicy.RESERVOIR, 3), batches,
        "images with a credit");
  }

  /** Version 3 is version 4 without the update credit after the buffer: it reads as credit 0. */
  @Test
  void aVersionThreeStateReadsWithNoCredit() throws Exception {
    Learner<Image> learner = images(ReplayPolicy.FIFO, 1);
    LearnerState s = learner.step(learner.initialState(),
        Batch.of(TinyImages.images(6, 6))).state();
    byte[] v4 = LearnerStateCodec.toBytes(s);
    byte[] v3 = Arrays.copyOf(v4, v4.length - 4);
    ByteBuffer.wrap(v3).putInt(4, 3);
    LearnerState read = LearnerStateCodec.fromBytes(v3);
    assertEquals(0, read.replay().updateCredit());
    assertArrayEquals(v4, LearnerStateCodec.toBytes(read));
  }

  @Test
  void everyIncomingSentenceGetsExactlyOneEmbeddingWhateverTheUpdatesPerBatch() {
    Learner<SentenceExample> learner = Learner.sentences(
        TinySentences.config(Method.ESIMCSE, 16).withReplay(replay(ReplayPolicy.FIFO, 3)));
    List<SentenceExample> examples = TinySentences.examples(18);
    List<Batch<SentenceExample>> batches = batches(examples, 6); // full: B = 6
    assertOneEmbeddingPerRecord(learner, learner.initialState(), batches, 3);
    LearnerState end = run(learner, learner.initialState(), batches);
    assertEquals(examples.subList(8, 18), end.replay().buffer(ReplayInputs.SENTENCES).items(),
        "FIFO keeps the ten newest records as they came");
  }

  @Test
  void theBufferStoresImagesAtTheEncodersInputSize() {
    Image big = new Image("big", 1, 2 * TinyImages.SIZE, 2 * TinyImages.SIZE,
        new float[4 * TinyImages.SIZE * TinyImages.SIZE]);
    Learner<Image> learner = images(ReplayPolicy.FIFO, 1);
    LearnerState s = learner.step(learner.initialState(), Batch.of(List.of(big))).state();
    Image stored = s.replay().buffer(ReplayInputs.IMAGES).items().get(0);
    assertEquals(TinyImages.SIZE, stored.height());
    assertEquals(TinyImages.SIZE, stored.width());
    assertEquals(ReplayInputs.imageBytes(stored), s.replay().buffer().bytes());
  }

  @Test
  void moreUpdatesPerBatchTakeMoreStepsOnTheSameStream() {
    List<Batch<Image>> batches = TinyImages.batches(TinyImages.images(18, 2), 6);
    Learner<Image> one = images(ReplayPolicy.FIFO, 1);
    Learner<Image> four = images(ReplayPolicy.FIFO, 4);
    LearnerState a = run(one, one.initialState(), batches);
    LearnerState b = run(four, four.initialState(), batches);
    assertEquals(3, a.step());
    assertEquals(12, b.step());
    assertNotEquals(a.encoderParams()[0], b.encoderParams()[0]);
  }

  /**
   * The buffer is part of the snapshot: a state restored from its bytes holds the same buffer bit
   * for bit and continues exactly like the uninterrupted run, replayed batches included.
   */
  private static <I> void assertRestoredStateContinuesExactly(Learner<I> learner,
      Learner<I> fresh, List<Batch<I>> batches, String what) throws Exception {
    LearnerState half = run(learner, learner.initialState(), batches.subList(0, 3));
    byte[] saved = LearnerStateCodec.toBytes(half);
    LearnerState restored = LearnerStateCodec.fromBytes(saved);
    assertTrue(restored.replay().buffer().size() > 0, what);
    assertEquals(half.replay().buffer().size(), restored.replay().buffer().size(), what);
    assertArrayEquals(saved, LearnerStateCodec.toBytes(restored), what);

    LearnerState uninterrupted = run(learner, half, batches.subList(3, 5));
    LearnerState resumed = run(fresh, restored, batches.subList(3, 5));
    assertArrayEquals(LearnerStateCodec.toBytes(uninterrupted),
        LearnerStateCodec.toBytes(resumed), what);
  }

  /**
   * A micro-batch's step taken one update at a time (the job's way: a checkpoint may come between
   * any two updates) ends in the state {@link Learner#step} leaves, bit for bit, even when every
   * intermediate state goes through its bytes and on to a learner built anew - for full
   * micro-batches and for small ones that take none or one update on the credit, and for every
   * buffer policy (the minimum-redundancy one reads the records' features after the updates).
   */
  @Test
  void aStepTakenOneUpdateAtATimeThroughItsBytesEndsWhereTheWholeStepEnds() throws Exception {
    for (ReplayPolicy policy : ReplayPolicy.values()) {
      List<Image> images = TinyImages.images(26, 9);
      // B = 6: two full micro-batches of 3 updates, then 1, 2 and 5 records on the credit
      List<Batch<Image>> batches = List.of(Batch.of(images.subList(0, 6)),
          Batch.of(images.subList(6, 12)), Batch.of(images.subList(12, 13)),
          Batch.of(images.subList(13, 15)), Batch.of(images.subList(15, 20)),
          Batch.of(images.subList(20, 26)));
      Learner<Image> whole = images(policy, 3);
      LearnerState expected = run(whole, whole.initialState(), batches);

      Learner<Image> stepwise = images(policy, 3);
      LearnerState state = stepwise.initialState();
      List<Integer> updates = new ArrayList<>();
      for (Batch<Image> batch : batches) {
        Learner.Begun begun = stepwise.begin(state, batch.inputs());
        state = begun.state();
        for (int u = 0; u < begun.plan().updates(); u++) {
          StepResult r = stepwise.update(state, batch.inputs(), begun.plan(), u);
          assertEquals(state.step() + 1, r.state().step());
          // a snapshot here, restored on a learner that never held the networks
          state = LearnerStateCodec.fromBytes(LearnerStateCodec.toBytes(r.state()));
          stepwise = images(policy, 3);
        }
        updates.add(begun.plan().updates());
        state = stepwise.finish(state, batch.inputs(), begun.plan());
      }
      assertEquals(List.of(3, 3, 0, 1, 3, 3), updates, policy + ": the plan of each step");
      assertArrayEquals(LearnerStateCodec.toBytes(expected), LearnerStateCodec.toBytes(state),
          policy + ": the same state as the whole steps'");
    }
  }

  @Test
  void restoredImageStateWithItsBufferContinuesExactlyLikeAnUninterruptedRun() throws Exception {
    for (ReplayPolicy policy : ReplayPolicy.values()) {
      assertRestoredStateContinuesExactly(images(policy, 2), images(policy, 2),
          TinyImages.batches(TinyImages.images(30, 3), 6), "images, " + policy);
    }
  }

  @Test
  void restoredPairStateWithItsBufferContinuesExactlyLikeAnUninterruptedRun() throws Exception {
    for (ReplayPolicy policy : ReplayPolicy.values()) {
      PairLearnerConfig c = TinyPairs.config().withReplay(replay(policy, 2));
      assertRestoredStateContinuesExactly(Learner.pairs(c), Learner.pairs(c),
          batches(TinyPairs.examples(30), 6), "pairs, " + policy);
    }
  }

  @Test
  void withoutReplayAStepIsOneUpdateAndTheStateHasNoBuffer() {
    assertEquals(ReplayConfig.NONE, TinyImages.config().replay(), "the default");
    Learner<Image> learner = Learner.images(TinyImages.config());
    LearnerState s = run(learner, learner.initialState(),
        TinyImages.batches(TinyImages.images(12, 4), 6));
    assertEquals(2, s.step());
    assertNull(s.replay());
  }

  @Test
  void aBufferOfAnotherModalityIsRefusedWithAMessage() {
    Learner<Image> learner = images(ReplayPolicy.FIFO, 1);
    LearnerState withImages = learner.step(learner.initialState(),
        Batch.of(TinyImages.images(3, 5))).state();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> withImages.replay().buffer(ReplayInputs.SENTENCES));
    assertTrue(e.getMessage().contains("holds images, not sentences"), e.getMessage());
  }

  /**
   * Version 2, the frame's layout before the buffer, is version 3 without the buffer's flag: such
   * a state still reads, as a state without a buffer.
   */
  @Test
  void aVersionTwoStateReadsAsAStateWithoutABuffer() throws Exception {
    Learner<Image> learner = Learner.images(TinyImages.config());
    LearnerState s = learner.step(learner.initialState(),
        Batch.of(TinyImages.images(6, 6))).state();
    byte[] v3 = LearnerStateCodec.toBytes(s);
    assertEquals(0, v3[v3.length - 1], "no buffer: the last byte is the buffer's flag, false");
    byte[] v2 = Arrays.copyOf(v3, v3.length - 1);
    ByteBuffer.wrap(v2).putInt(4, 2);
    LearnerState read = LearnerStateCodec.fromBytes(v2);
    assertNull(read.replay());
    assertArrayEquals(v3, LearnerStateCodec.toBytes(read));
  }
}
