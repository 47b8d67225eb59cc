package dev.contraflow.learn;

import java.util.List;

/**
 * The outcome of one step, for every modality.
 *
 * @param state the next state; its step is the model version the embeddings carry
 * @param outputs the embeddings (if the batch asked for them), in input order: one per image or
 *     sentence, two per image-text pair (image, then caption)
 * @param metrics the step's metrics (of a rejected step: what it would have left, NaN loss and
 *     all)
 * @param rejection why the step was rejected ({@link NonFiniteGuard}), or null when it was taken;
 *     a rejected step's state is the one it started from, and its outputs are by that state
 * @param updates the gradient updates the step took: {@code updatesPerBatch} for a full
 *     micro-batch, possibly 0 for a small one whose update credit is not yet a whole update
 *     ({@link dev.contraflow.learn.replay.ReplaySchedule#plan}); then the model did not move, the
 *     metrics are NaN, and only the replay buffer and the credit in the state changed
 */
public record StepResult(LearnerState state, List<Output> outputs, StepMetrics metrics,
    String rejection, int updates) {

  public StepResult {
    outputs = List.copyOf(outputs);
  }

  /** Whether the model moved: at least one update, and not rejected. */
  public boolean trained() {
    return updates > 0 && rejection == null;
  }

  /** Whether the step was rejected: the state did not move. */
  public boolean rejected() {
    return rejection != null;
  }

  /** Every output's embedding, in order. */
  public List<Embedding> embeddings() {
    return outputs.stream().map(Output::embedding).toList();
  }

  /** The embeddings of one kind, in input order (a pair's images, or its captions). */
  public List<Embedding> embeddings(Output.Kind kind) {
    return outputs.stream().filter(o -> o.kind() == kind).map(Output::embedding).toList();
  }
}
