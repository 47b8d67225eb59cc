package dev.contraflow.learn;

import java.util.List;

/**
 * The outcome of one step, for every modality.
 *
 * @param state the next state; its step is the model version the embeddings carry
 * @param outputs the embeddings (if the batch asked for them), in input order: one per image or
 *     sentence, two per image-text pair (image, then caption)
 * @param metrics the step's metrics
 */
public record StepResult(LearnerState state, List<Output> outputs, StepMetrics metrics) {

  public StepResult {
    outputs = List.copyOf(outputs);
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
