package dev.contraflow.contrast;

import java.io.Serializable;
import dev.contraflow.encoder.FixedRanges;
import dev.contraflow.encoder.HostValues;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The momentum (EMA) update of the key encoder, theta_k <- m theta_k + (1 - m) theta_q (MoCo,
 * eq. 2). m = 1 freezes the key encoder; m = 0 copies the query encoder each step (MoCo found
 * that unstable: the keys must change slowly to stay consistent across the queue).
 *
 * <p>Optionally m follows BYOL's cosine schedule towards 1: m_t = 1 - (1 - m_0)(cos(pi t / T) + 1) / 2,
 * so late in training the target barely moves.
 */
public record MomentumUpdate(double momentum, Schedule schedule, long totalSteps) implements Serializable {

  /** How m changes with the step. */
  public enum Schedule { CONSTANT, COSINE }

  public MomentumUpdate {
    if (!(momentum >= 0 && momentum <= 1)) {
      throw new IllegalArgumentException(
          "momentum m must be in [0, 1], got " + momentum + " (MoCo uses 0.999, small data 0.99)");
    }
    if (schedule == null) {
      throw new IllegalArgumentException("momentum schedule must be CONSTANT or COSINE, got null");
    }
    if (schedule == Schedule.COSINE && totalSteps < 1) {
      throw new IllegalArgumentException(
          "a COSINE momentum schedule needs totalSteps >= 1, got " + totalSteps);
    }
  }

  public static MomentumUpdate constant(double momentum) {
    return new MomentumUpdate(momentum, Schedule.CONSTANT, 0);
  }

  /** m at a given step. */
  public double momentumAt(long step) {
    if (schedule == Schedule.CONSTANT) {
      return momentum;
    }
    double t = Math.min(1.0, (double) step / totalSteps);
    return 1 - (1 - momentum) * (Math.cos(Math.PI * t) + 1) / 2;
  }

  /**
   * momentum update of the key encoder, in place on {@code target}: a scale and one BLAS axpy over
   * the flat parameter vectors, no temporary copy of the online parameters.
   */
  public void apply(INDArray target, INDArray online, long step) {
    double m = momentumAt(step);
    if (target.dataType() == DataType.FLOAT && online.dataType() == DataType.FLOAT
        && HostValues.reachable(target, online) && target.length() == online.length()) {
      average(target, online, m);
      return;
    }
    target.muli(m);
    Nd4j.getBlasWrapper().level1().axpy(target.length(), 1 - m, online, target);
  }

  /** Values per chunk of {@link #average}. */
  private static final int CHUNK = 8192;

  /**
   * theta_k := m theta_k + (1 - m) theta_q as one Java pass in chunks, its ranges shared by the
   * cores ({@link FixedRanges}; element-wise, so the same values however it is cut), where the
   * ND4J path is two ops (a scale and an axpy), each a dispatch and a thread fork.
   */
  private static void average(INDArray target, INDArray online, double m) {
    float keep = (float) m;
    float take = (float) (1 - m);
    FixedRanges ranges = FixedRanges.of((int) target.length());
    ranges.forEach(2 * target.length(), r -> {
      float[] t = new float[CHUNK];
      float[] o = new float[CHUNK];
      for (long from = ranges.from(r); from < ranges.to(r); from += CHUNK) {
        int n = (int) Math.min(CHUNK, ranges.to(r) - from);
        HostValues.readFloats(target, from, t, n);
        HostValues.readFloats(online, from, o, n);
        for (int i = 0; i < n; i++) {
          t[i] = keep * t[i] + take * o[i];
        }
        HostValues.writeFloats(t, n, target, from);
      }
    });
  }
}
