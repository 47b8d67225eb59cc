package dev.contraflow.learn;

import java.util.List;

/**
 * A micro-batch of image-text pairs for one step. Any size >= 1 works; a batch of one has no
 * negative, so its loss is 0 and nothing moves.
 *
 * @param examples the records, in stream order
 * @param emitEmbeddings whether the step also embeds each record's image and caption
 */
public record PairBatch(List<PairExample> examples, boolean emitEmbeddings) {

  public PairBatch {
    if (examples == null || examples.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one record");
    }
    examples = List.copyOf(examples);
  }

  public static PairBatch of(List<PairExample> examples) {
    return new PairBatch(examples, true);
  }

  public static PairBatch trainingOnly(List<PairExample> examples) {
    return new PairBatch(examples, false);
  }

  public int size() {
    return examples.size();
  }
}
