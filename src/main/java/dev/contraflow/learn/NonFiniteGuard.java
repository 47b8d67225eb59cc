package dev.contraflow.learn;

import java.util.Map;

/**
 * Whether a step left anything non-finite behind (issue 15). One NaN in a loss, a gradient or a
 * parameter spreads to every later step and every published model, and a replay after a restart
 * meets it again, so {@link Learner#step} rejects such a step and keeps the state it started from.
 *
 * <p>Gradients are not kept after a step, but every one passes through the optimiser's state
 * (momentum buffers, Adam moments) and the parameters it moves, so checking those, the loss and
 * the queue or bank the step wrote catches a non-finite gradient as well.
 */
public final class NonFiniteGuard {

  private NonFiniteGuard() {}

  /** What is not finite after the step, or null when everything is. */
  static String problem(double loss, LearnerState next) {
    if (!Double.isFinite(loss)) {
      return "loss is " + loss;
    }
    return stateProblem(next);
  }

  /**
   * What is not finite in a state (parameters, optimiser state, queue), or null when everything
   * is: the first of the publish gates (issue 13).
   */
  public static String stateProblem(LearnerState next) {
    for (Map.Entry<String, LearnerState.Network> n : next.networks().entrySet()) {
      if (!allFinite(n.getValue().params())) {
        return "parameters of the " + n.getKey() + " network are not finite";
      }
      if (!allFinite(n.getValue().updaterState())) {
        return "optimiser state (gradients) of the " + n.getKey() + " network is not finite";
      }
    }
    if (next.queue() != null && !allFinite(next.queue().keys())) {
      return "keys written to the queue are not finite";
    }
    return null;
  }

  /** Whether every value is finite (NaN and infinities are not). */
  public static boolean allFinite(float[] values) {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }
}
