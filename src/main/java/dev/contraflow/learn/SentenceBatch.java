package dev.contraflow.learn;

import java.util.List;

/**
 * A micro-batch of sentence records for one step. Any size >= 1 works.
 *
 * @param examples the records, in stream order
 * @param emitEmbeddings whether the step also embeds each sentence with the momentum encoder
 */
public record SentenceBatch(List<SentenceExample> examples, boolean emitEmbeddings) {

  public SentenceBatch {
    if (examples == null || examples.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one record");
    }
    examples = List.copyOf(examples);
  }

  public static SentenceBatch of(List<SentenceExample> examples) {
    return new SentenceBatch(examples, true);
  }

  public static SentenceBatch trainingOnly(List<SentenceExample> examples) {
    return new SentenceBatch(examples, false);
  }

  public int size() {
    return examples.size();
  }
}
