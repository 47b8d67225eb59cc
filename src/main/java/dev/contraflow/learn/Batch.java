package dev.contraflow.learn;

import java.util.List;

/**
 * A micro-batch of records for one step, of any modality. Any size >= 1 works (streams have
 * ragged batches).
 *
 * @param inputs the records, in stream order: images, sentence examples or image-text pairs
 * @param emitEmbeddings whether the step also embeds each record with the updated model
 * @param <I> the learner's input
 */
public record Batch<I>(List<I> inputs, boolean emitEmbeddings) {

  public Batch {
    if (inputs == null || inputs.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one record");
    }
    inputs = List.copyOf(inputs);
  }

  public static <I> Batch<I> of(List<I> inputs) {
    return new Batch<>(inputs, true);
  }

  public static <I> Batch<I> trainingOnly(List<I> inputs) {
    return new Batch<>(inputs, false);
  }

  public int size() {
    return inputs.size();
  }
}
