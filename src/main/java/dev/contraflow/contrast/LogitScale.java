package dev.contraflow.contrast;

import java.io.Serializable;

/**
 * CLIP's learnable temperature, held as the log of the logit scale: t, with logits = exp(t) I T^T
 * and temperature = exp(-t) (Radford et al. 2021). It starts at t = ln(1 / 0.07) and is clamped
 * after every update to [0, ln 100]: the paper clips the scale at 100 "to prevent training
 * instability" (a scale that keeps growing makes the loss vanish and the softmax one-hot); the
 * lower bound 0 (scale 1) is open_clip's.
 *
 * <p>Moved by its own scalar Adam (Kingma and Ba 2015: beta1 0.9, beta2 0.999, eps 1e-8), as CLIP
 * trains it with Adam along with every weight, whichever optimiser the encoders use; its moments
 * are part of the value, so a restored learner continues the same sequence.
 *
 * @param logScale t, in [0, ln 100]
 * @param firstMoment Adam's running mean of the gradient
 * @param secondMoment Adam's running mean of the squared gradient
 */
public record LogitScale(double logScale, double firstMoment, double secondMoment)
    implements Serializable {

  /** ln 100, one ulp below, so that exp() of it never rounds above 100. */
  public static final double MAX_LOG_SCALE = Math.nextDown(Math.log(100));
  /** CLIP's initial temperature, 0.07. */
  public static final double INITIAL_TEMPERATURE = 0.07;

  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPSILON = 1e-8;

  public LogitScale {
    if (!(logScale >= 0 && logScale <= MAX_LOG_SCALE)) {
      throw new IllegalArgumentException("log logit scale must be in [0, ln 100], got " + logScale
          + " (temperatures from 0.01 to 1)");
    }
    if (!Double.isFinite(firstMoment) || !(secondMoment >= 0)) {
      throw new IllegalArgumentException("logit scale Adam moments must be finite and the second"
          + " >= 0, got " + firstMoment + " and " + secondMoment);
    }
  }

  /** A fresh scale of 1 / {@code temperature}, with zero moments. */
  public static LogitScale ofTemperature(double temperature) {
    if (!(temperature >= 0.01 && temperature <= 1)) {
      throw new IllegalArgumentException("initial temperature must be in [0.01, 1] (the scale is"
          + " clamped to [1, 100]), got " + temperature + " (CLIP starts at 0.07)");
    }
    return new LogitScale(Math.min(MAX_LOG_SCALE, Math.log(1 / temperature)), 0, 0);
  }

  /** exp(t), the factor on the cosine similarities; at most 100. */
  public double scale() {
    return Math.exp(logScale);
  }

  public double temperature() {
    return Math.exp(-logScale);
  }

  /**
   * One Adam step on t with {@code gradient} (of the mean loss), then the clamp. A non-finite
   * gradient leaves the scale as it is: it comes only from non-finite logits, whose loss is
   * non-finite too, and the learner rejects that step whole (issue 15: throwing here failed the
   * job, and the replay after the restart met the same batch again).
   *
   * @param iteration 0-based step count, for Adam's bias correction
   */
  public LogitScale update(double gradient, long iteration, double learningRate) {
    if (!Double.isFinite(gradient)) {
      return this;
    }
    double m = BETA1 * firstMoment + (1 - BETA1) * gradient;
    double v = BETA2 * secondMoment + (1 - BETA2) * gradient * gradient;
    double mHat = m / (1 - Math.pow(BETA1, iteration + 1));
    double vHat = v / (1 - Math.pow(BETA2, iteration + 1));
    double t = logScale - learningRate * mHat / (Math.sqrt(vHat) + EPSILON);
    return new LogitScale(Math.max(0, Math.min(MAX_LOG_SCALE, t)), m, v);
  }
}
