package dev.contraflow.learn;

import dev.contraflow.contrast.LogitScale;
import dev.contraflow.encoder.Encoder;

/**
 * The whole of a CLIP learner between two steps: what a checkpoint or a model file holds.
 *
 * <p>A state of its own rather than {@link LearnerState}: CLIP has two trained towers and a
 * learnable temperature, and no momentum encoder and no queue. Packing both towers and the scale
 * into LearnerState's one parameter vector would make a positional layout that neither its codec
 * nor a reader could check; here each part is named and its size is checked against the networks
 * when loaded.
 *
 * <p>Immutable by contract, like LearnerState: the arrays are fresh for every state and never
 * written after construction.
 *
 * @param step training steps taken; the model version
 * @param rngState the learner's random stream (crops, dropout masks)
 * @param imageParams the image encoder's flat parameters (with batch-norm statistics)
 * @param imageUpdaterState the image encoder's optimiser state
 * @param textParams the text encoder's flat parameters
 * @param textUpdaterState the text encoder's optimiser state
 * @param logitScale the learnable temperature and its Adam moments
 */
public record PairLearnerState(
    long step,
    long rngState,
    float[] imageParams,
    float[] imageUpdaterState,
    float[] textParams,
    float[] textUpdaterState,
    LogitScale logitScale) {

  static PairLearnerState capture(long step, long rngState, Encoder image, Encoder text,
      LogitScale logitScale) {
    return new PairLearnerState(step, rngState, image.params(), image.updaterState(),
        text.params(), text.updaterState(), logitScale);
  }

  /** Writes this state into a learner's networks, which are only scratch space between steps. */
  void loadInto(Encoder image, Encoder text) {
    image.loadParams(imageParams);
    image.loadUpdaterState(imageUpdaterState);
    text.loadParams(textParams);
    text.loadUpdaterState(textUpdaterState);
  }
}
