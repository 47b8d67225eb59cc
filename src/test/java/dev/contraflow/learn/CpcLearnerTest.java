package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.learn.method.CpcStep;
import dev.contraflow.learn.replay.ReplayConfig;
import dev.contraflow.learn.replay.ReplayPolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CPC on the learner frame: sequences read in parallel, one micro-batch at a time. */
class CpcLearnerTest {

  private static final SentenceLearnerConfig SENTENCES = TinySentences.config(Method.CPC, 0);

  /**
   * {@code sequences} documents read in parallel: sentence p of document s is TEXTS[(5 s + p) mod
   * 12], so each document walks the texts in one fixed order from its own start; the stream
   * takes one sentence of each document in turn.
   */
  static List<SentenceExample> interleaved(int sequences, int length) {
    SentenceTokenizer tokenizer = TinySentences.tokenizer();
    List<SentenceExample> out = new ArrayList<>();
    try {
      for (int p = 0; p < length; p++) {
        for (int s = 0; s < sequences; s++) {
          String text = TinySentences.TEXTS[(5 * s + p) % TinySentences.TEXTS.length];
          out.add(SentenceExample.inSequence(tokenizer.tokenize("d" + s + "-" + p, text),
              "d" + s, p));
        }
      }
    } catch (InvalidSentenceException e) {
      throw new AssertionError(e);
    }
    return out;
  }

  @Test
  void predictingTheNextSentencesOfInterleavedSequencesLowersTheLoss() {
    Learner<SentenceExample> learner = Learner.sentences(SENTENCES);
    LearnerState s = learner.initialState();
    List<SentenceExample> stream = interleaved(6, 60);
    List<Double> losses = new ArrayList<>();
    for (int i = 0; i + 6 <= stream.size(); i += 6) {
      StepResult r = learner.step(s, Batch.trainingOnly(stream.subList(i, i + 6)));
      s = r.state();
      losses.add(r.metrics().loss());
    }
    assertEquals(0.0, losses.get(0), "the first sentences of every sequence have no past");
    double early = losses.subList(1, 11).stream().mapToDouble(d -> d).average().orElseThrow();
    double late = losses.subList(50, 60).stream().mapToDouble(d -> d).average().orElseThrow();
    assertTrue(late < 0.5 * early, "loss " + early + " -> " + late);
  }

  @Test
  void theFirstSentenceOfEverySequenceTrainsNothingButEntersItsWindow() {
    Learner<SentenceExample> learner = Learner.sentences(SENTENCES);
    LearnerState start = learner.initialState();
    StepResult r = learner.step(start, Batch.of(interleaved(6, 1)));
    assertArrayEquals(start.encoderParams(), r.state().encoderParams());
    assertNotEquals(0f, sum(r.state().network(CpcStep.WINDOWS).params()));
    assertEquals(6, r.outputs().size(), "every record still gets its one embedding");
  }

  @Test
  void aRestoredStateContinuesExactly() throws Exception {
    List<SentenceExample> all = interleaved(3, 4);
    RestoredRun<SentenceExample> run = RestoredRun.of(() -> Learner.sentences(SENTENCES), all);
    LearnerState s = run.uninterrupted();
    LearnerState restored = run.restored();
    for (String block : s.networks().keySet()) {
      assertArrayEquals(s.network(block).params(), restored.network(block).params(), block);
      assertArrayEquals(s.network(block).updaterState(), restored.network(block).updaterState(),
          block);
    }
    assertEquals(s.rngState(), restored.rngState());
    assertArrayEquals(run.fresh().embedAll(restored, all), run.learner().embedAll(s, all));
  }

  /** SENTENCES with a queue of {@code q} past encodings. */
  private static SentenceLearnerConfig withQueue(int q) {
    SentenceLearnerConfig.Cpc c = SENTENCES.cpc();
    return SENTENCES.withCpc(new SentenceLearnerConfig.Cpc(c.predictionSteps(),
        c.contextKernel(), c.contextDim(), c.windowSequences(), q));
  }

  @Test
  void theQueueKeepsTheLastNewSentencesWithTheirSequences() {
    Learner<SentenceExample> learner = Learner.sentences(withQueue(8));
    List<SentenceExample> stream = interleaved(6, 2);
    LearnerState s = learner.initialState();
    assertEquals(0, s.queueFill());
    s = learner.step(s, Batch.trainingOnly(stream.subList(0, 6))).state();
    assertEquals(6, s.queueFill(), "every new sentence enters, the first ones too");
    s = learner.step(s, Batch.trainingOnly(stream.subList(6, 12))).state();
    assertEquals(8, s.queueFill());
    long[] sequences = s.queue().idHashes();
    // the ring after 12 writes into 8 slots: d2..d5 of the second batch over the first's d0..d3
    List<String> expected = List.of("d2", "d3", "d4", "d5", "d4", "d5", "d0", "d1");
    for (int j = 0; j < 8; j++) {
      assertEquals(dev.contraflow.contrast.NegativeQueue.idHash(expected.get(j)), sequences[j],
          "slot " + j);
    }
  }

  /**
   * One document alone has no other sequence in its micro-batch, so in-batch CPC learns nothing
   * from it; with a queue, the encodings of the documents read before are its negatives.
   */
  @Test
  void aQueueGivesALoneSequenceTheNegativesItsBatchLacks() {
    List<SentenceExample> others = interleaved(6, 1);
    List<SentenceExample> lone = interleaved(1, 2);
    for (int q : new int[] {0, 16}) {
      Learner<SentenceExample> learner = Learner.sentences(withQueue(q));
      LearnerState s = learner.step(learner.initialState(), Batch.trainingOnly(others)).state();
      StepResult r = learner.step(s, Batch.trainingOnly(lone));
      if (q == 0) {
        assertEquals(0.0, r.metrics().loss(), "in-batch only: nothing to contrast");
        assertArrayEquals(s.encoderParams(), r.state().encoderParams());
      } else {
        assertTrue(r.metrics().loss() > 0, "the queue's other 5 documents are negatives");
        assertNotEquals(sum(s.encoderParams()), sum(r.state().encoderParams()));
      }
    }
  }

  /**
   * With a queue the futures are a momentum encoder's keys (MoCo's consistency): the queue holds
   * the new sentences as the momentum encoder saw them before the update, and after it the
   * momentum encoder has moved (1 - m) of the way to the trained encoder.
   */
  @Test
  void aQueueIsFilledByTheMomentumEncoderWhichFollowsTheEncoder() {
    SentenceLearnerConfig config = withQueue(16);
    Learner<SentenceExample> learner = Learner.sentences(config);
    List<SentenceExample> stream = interleaved(6, 2);
    LearnerState s = learner.step(learner.initialState(), Batch.trainingOnly(stream.subList(0, 6)))
        .state();
    LearnerState before = s;
    s = learner.step(s, Batch.trainingOnly(stream.subList(6, 12))).state();

    CpcStep keysBefore = new CpcStep(CpcConfig.of(config));
    keysBefore.networks().load(before);
    float[][] expected = keysBefore.encodings(stream.subList(6, 12).stream()
        .map(e -> e.sentence().tokens()).toList());
    float[] queued = s.queue().keys();
    int d = expected[0].length;
    for (int i = 0; i < 6; i++) { // the second batch's keys, in slots 6..11
      float[] row = java.util.Arrays.copyOfRange(queued, (6 + i) * d, (7 + i) * d);
      assertArrayEquals(expected[i], row, 1e-5f, "queued key " + i);
    }

    float[] online = s.encoderParams();
    float[] momentumBefore = before.network(LearnerState.MOMENTUM).params();
    float[] momentumAfter = s.network(LearnerState.MOMENTUM).params();
    double m = config.momentum().momentumAt(before.step());
    assertNotEquals(sum(momentumBefore), sum(momentumAfter), "the key encoder moved");
    for (int i = 0; i < online.length; i += 97) {
      assertEquals(m * momentumBefore[i] + (1 - m) * online[i], momentumAfter[i], 1e-6,
          "EMA of parameter " + i);
    }
  }

  @Test
  void withoutAQueueThereIsNoMomentumEncoder() {
    assertTrue(Learner.sentences(SENTENCES).initialState().networks()
        .containsKey(CpcStep.CONTEXT));
    assertFalse(Learner.sentences(SENTENCES).initialState().networks()
        .containsKey(LearnerState.MOMENTUM), "the paper's CPC: futures are the encoder's own z");
  }

  @Test
  void aRestoredStateContinuesExactlyQueueIncluded() throws Exception {
    List<SentenceExample> all = interleaved(3, 4);
    RestoredRun<SentenceExample> run = RestoredRun.of(() -> Learner.sentences(withQueue(7)),
        all);
    LearnerState s = run.uninterrupted();
    LearnerState restored = run.restored();
    assertEquals(7, s.queueFill());
    assertArrayEquals(s.queue().keys(), restored.queue().keys());
    assertArrayEquals(s.queue().idHashes(), restored.queue().idHashes());
    assertArrayEquals(s.queue().enqueuedAt(), restored.queue().enqueuedAt());
    assertEquals(s.queue().writePosition(), restored.queue().writePosition());
    assertArrayEquals(s.encoderParams(), restored.encoderParams());
    assertArrayEquals(s.network(LearnerState.MOMENTUM).params(),
        restored.network(LearnerState.MOMENTUM).params(), "the key encoder");
    assertArrayEquals(run.fresh().embedAll(restored, all), run.learner().embedAll(s, all));
  }

  @Test
  void refusesReplayAndSettingsOutsideTheirRange() {
    IllegalArgumentException replay = assertThrows(IllegalArgumentException.class,
        () -> CpcConfig.of(SENTENCES.withReplay(new ReplayConfig(8,
            ReplayConfig.DEFAULT_MAX_BYTES, ReplayPolicy.FIFO, 2, 0.5))));
    assertTrue(replay.getMessage().startsWith("CPC takes no replay"), replay.getMessage());
    IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
        () -> CpcConfig.of(SENTENCES).withPredictionSteps(0));
    assertEquals("cpc.predictionSteps must be in 1..16, got 0 (the paper predicts up to 12; use"
        + " 3)", k.getMessage());
  }

  private static float sum(float[] values) {
    float s = 0;
    for (float v : values) {
      s += v;
    }
    return s;
  }
}
