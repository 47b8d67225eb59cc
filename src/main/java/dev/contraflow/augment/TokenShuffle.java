package dev.contraflow.augment;

/**
 * ConSERT's token shuffle (Yan et al. 2021): the tokens in a random order. ConSERT permutes the
 * position ids of a Transformer; for a convolutional encoder, which has no position ids, permuting
 * the tokens themselves is the same change of word order.
 */
public record TokenShuffle() implements TextView {

  @Override
  public SentenceView apply(SentenceView v, Rng rng) {
    int n = v.length();
    int[][] tokens = v.tokens().clone();
    boolean[] cut = v.cutTokens().clone();
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int[] t = tokens[i];
      tokens[i] = tokens[j];
      tokens[j] = t;
      boolean c = cut[i];
      cut[i] = cut[j];
      cut[j] = c;
    }
    return v.withTokens(tokens, cut);
  }
}
