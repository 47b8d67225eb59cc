package dev.contraflow.learn;

import dev.contraflow.contrast.NegativeQueue;
import dev.contraflow.encoder.Encoder;

/**
 * The whole of a learner between two steps: what a Flink checkpoint or a model file holds.
 *
 * <p>Immutable by contract: the arrays are fresh for every state and nobody writes to them after
 * construction (the learner copies parameters out after each step). That lets a state sit in Flink
 * heap state while an asynchronous snapshot reads it.
 *
 * @param step number of training steps taken; the model version
 * @param rngState the learner's random stream (views); a restore continues the same sequence
 * @param encoderParams the query encoder's flat parameters (including batch-norm statistics)
 * @param updaterState the optimiser's flat state (momentum buffers, Adam moments)
 * @param momentumParams the momentum encoder's flat parameters (MoCo's key encoder, BYOL's
 *     target); empty for methods without one
 * @param queue MoCo's negatives or InstDisc's memory bank (one unused entry for other methods)
 */
public record LearnerState(
    long step,
    long rngState,
    float[] encoderParams,
    float[] updaterState,
    float[] momentumParams,
    NegativeQueue queue) {

  /**
   * The state after a step: fresh copies of both networks' parameters and the optimiser state
   * ({@code momentumEncoder} null: the method has none).
   */
  static LearnerState capture(long step, long rngState, Encoder encoder, Encoder momentumEncoder,
      NegativeQueue queue) {
    return new LearnerState(step, rngState, encoder.params(), encoder.updaterState(),
        momentumEncoder == null ? new float[0] : momentumEncoder.params(), queue);
  }

  /** Writes this state into a learner's networks, which are only scratch space between steps. */
  void loadInto(Encoder encoder, Encoder momentumEncoder) {
    encoder.loadParams(encoderParams);
    encoder.loadUpdaterState(updaterState);
    if (momentumEncoder != null) {
      momentumEncoder.loadParams(momentumParams);
    } else if (momentumParams.length != 0) {
      throw new IllegalArgumentException("the state holds momentum-encoder parameters but this"
          + " learner's method has no momentum encoder (was it made with another method?)");
    }
  }
}
