package dev.contraflow.job.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.learn.LearnerState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The publish gates on geometrically obvious samples: points spread over the axes of the
 * sphere, all on one point, and a candidate with a NaN parameter.
 */
class PublishGateTest {

  private static final PublishGate GATE =
      new PublishGate(JobConfigLoader.defaults(List.of("publish.gates.sampleSize=8",
          "publish.gates.probe.tolerance=0.05")).publish().gates());
  private static final LearnerState FINITE = state(1f);

  private static LearnerState state(float param) {
    return new LearnerState(5, 1, Map.of(LearnerState.ONLINE,
        new LearnerState.Network(new float[] {0.5f, param}, new float[] {0f, 0f})), null, null,
        null);
  }

  /** +-e1 .. +-e4 in 4 dimensions: as spread as 8 unit vectors get. */
  private static float[][] spread() {
    float[][] x = new float[8][4];
    for (int i = 0; i < 8; i++) {
      x[i][i % 4] = i < 4 ? 1 : -1;
    }
    return x;
  }

  /** 8 copies of e1: a collapsed model. */
  private static float[][] collapsed() {
    float[][] x = new float[8][4];
    for (float[] row : x) {
      row[0] = 1;
    }
    return x;
  }

  @Test
  void aHealthyFirstModelPassesAndItsFiguresBecomeTheBaseline() {
    PublishGate.Verdict v = GATE.judge(FINITE, spread(), 0.3, Double.NaN, null);
    assertTrue(v.passed(), v.rejection());
    assertEquals(0.5 * Math.sqrt(4), v.figures().stdRatio, 1e-6,
        "each dimension is +1, -1 and six 0s: std 0.5");
    assertEquals(0.3, v.figures().alignment);
  }

  @Test
  void aNonFiniteParameterIsRejectedFirst() {
    PublishGate.Verdict v = GATE.judge(state(Float.NaN), spread(), 0.3, Double.NaN, null);
    assertTrue(v.rejection().contains("not finite"), v.rejection());
  }

  @Test
  void embeddingsOnOnePointAreRejectedAsCollapsed() {
    PublishGate.Verdict v = GATE.judge(FINITE, collapsed(), 0.0, Double.NaN, null);
    assertTrue(v.rejection().startsWith("collapsed"), v.rejection());
    assertEquals(0.0, v.figures().stdRatio, 1e-9);
  }

  @Test
  void uniformityOrAlignmentWorseThanTheLastPublishedByMoreThanTheToleranceIsRejected() {
    GateFigures last = GATE.judge(FINITE, spread(), 0.3, Double.NaN, null).figures();
    float[][] tighter = spread();
    for (float[] row : tighter) { // every point pulled toward (1,1,1,1): less uniform, not one
      for (int j = 0; j < 4; j++) {
        row[j] += 1;
      }
      double norm = Math.sqrt(row[0] * row[0] + row[1] * row[1] + row[2] * row[2]
          + row[3] * row[3]);
      for (int j = 0; j < 4; j++) {
        row[j] /= (float) norm;
      }
    }
    PublishGate.Verdict worse = GATE.judge(FINITE, tighter, 0.3, Double.NaN, last);
    assertTrue(worse.rejection().startsWith("uniformity"), worse.rejection());

    PublishGate.Verdict misaligned = GATE.judge(FINITE, spread(), 1.5, Double.NaN, last);
    assertTrue(misaligned.rejection().startsWith("alignment"), misaligned.rejection());
    assertNull(GATE.judge(FINITE, spread(), 1.2, Double.NaN, last).rejection(), "within the tolerance");
  }

  /**
   * Probe embeddings of 4 classes x 4 images in 4 dimensions: class c near axis e_c (a model
   * that separates the classes), or, {@code scrambled}, image i near axis e_(i mod 4) whatever
   * its class (a model made worse on purpose: its neighbours carry the wrong labels).
   */
  private static float[][] probeEmbeddings(int[] labels, boolean scrambled) {
    float[][] x = new float[labels.length][4];
    for (int i = 0; i < labels.length; i++) {
      x[i][scrambled ? (i * 3 + 1) % 4 : labels[i]] = 1;
      x[i][(labels[i] + 1) % 4] += 0.1f * (i % 3); // not all identical within a class
    }
    return x;
  }

  private static final int[] PROBE_LABELS = {0, 0, 1, 1, 2, 2, 3, 3, 0, 0, 1, 1, 2, 2, 3, 3};

  @Test
  void theProbeAccuracyIsKnnWithEveryOtherImageTheBankSoNoImageVotesForItself() {
    assertEquals(1.0, LabelledProbe.accuracy(probeEmbeddings(PROBE_LABELS, false), PROBE_LABELS,
        3), 1e-9, "classes on their own axes: every query's neighbours share its label");
    double scrambled = LabelledProbe.accuracy(probeEmbeddings(PROBE_LABELS, true), PROBE_LABELS,
        3);
    assertTrue(scrambled < 0.5, "a query's nearest are of other classes: " + scrambled);
  }

  @Test
  void aModelWorseOnTheLabelledProbeThanTheLastPublishedIsRejectedOneAsGoodPasses() {
    double good = LabelledProbe.accuracy(probeEmbeddings(PROBE_LABELS, false), PROBE_LABELS, 3);
    double worse = LabelledProbe.accuracy(probeEmbeddings(PROBE_LABELS, true), PROBE_LABELS, 3);
    GateFigures last = GATE.judge(FINITE, spread(), 0.3, good, null).figures();
    assertEquals(good, last.probeAccuracy, "the published model's accuracy is the next baseline");

    PublishGate.Verdict v = GATE.judge(FINITE, spread(), 0.3, worse, last);
    assertTrue(v.rejection().startsWith("kNN accuracy on the labelled probe"), v.rejection());
    assertTrue(v.rejection().contains("publish.gates.probe.tolerance"), v.rejection());
    assertEquals(worse, v.figures().probeAccuracy, "the metric travels with the rejection");

    assertNull(GATE.judge(FINITE, spread(), 0.3, good, last).rejection(), "as good passes");
    assertNull(GATE.judge(FINITE, spread(), 0.3, good - 0.04, last).rejection(),
        "a drop within publish.gates.probe.tolerance = 0.05 passes");
    assertNull(GATE.judge(FINITE, spread(), 0.3, Double.NaN, last).rejection(),
        "no probe configured: nothing to compare");
  }
}
