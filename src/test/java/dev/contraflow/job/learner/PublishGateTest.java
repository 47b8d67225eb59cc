package dev.contraflow.job.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.job.config.JobConfig;
import dev.contraflow.learn.LearnerState;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The publish gates on geometrically obvious samples: points spread over the axes of the
 * sphere, all on one point, and a candidate with a NaN parameter.
 */
class PublishGateTest {

  private static final PublishGate GATE =
      new PublishGate(new JobConfig.Gates(true, 0.01, 0.5, 1.0, 8));
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
    PublishGate.Verdict v = GATE.judge(FINITE, spread(), 0.3, null);
    assertTrue(v.passed(), v.rejection());
    assertEquals(0.5 * Math.sqrt(4), v.figures().stdRatio, 1e-6,
        "each dimension is +1, -1 and six 0s: std 0.5");
    assertEquals(0.3, v.figures().alignment);
  }

  @Test
  void aNonFiniteParameterIsRejectedFirst() {
    PublishGate.Verdict v = GATE.judge(state(Float.NaN), spread(), 0.3, null);
    assertTrue(v.rejection().contains("not finite"), v.rejection());
  }

  @Test
  void embeddingsOnOnePointAreRejectedAsCollapsed() {
    PublishGate.Verdict v = GATE.judge(FINITE, collapsed(), 0.0, null);
    assertTrue(v.rejection().startsWith("collapsed"), v.rejection());
    assertEquals(0.0, v.figures().stdRatio, 1e-9);
  }

  @Test
  void uniformityOrAlignmentWorseThanTheLastPublishedByMoreThanTheToleranceIsRejected() {
    GateFigures last = GATE.judge(FINITE, spread(), 0.3, null).figures();
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
    PublishGate.Verdict worse = GATE.judge(FINITE, tighter, 0.3, last);
    assertTrue(worse.rejection().startsWith("uniformity"), worse.rejection());

    PublishGate.Verdict misaligned = GATE.judge(FINITE, spread(), 1.5, last);
    assertTrue(misaligned.rejection().startsWith("alignment"), misaligned.rejection());
    assertNull(GATE.judge(FINITE, spread(), 1.2, last).rejection(), "within the tolerance");
  }
}
