package dev.contraflow.augment;

/**
 * ConSERT's feature cutoff (Yan et al. 2021): round(rate * d) randomly chosen dimensions of the
 * token embeddings are zeroed for every token of the sentence. ConSERT's best pair of views was
 * token shuffle with feature cutoff (rate 0.2).
 *
 * @param rate fraction of embedding dimensions cut
 * @param dim the encoder's embedding width d
 */
public record FeatureCutoff(double rate, int dim) implements TextView {

  public FeatureCutoff {
    TextViewRates.check("feature cutoff", rate, "ConSERT uses 0.2");
    if (dim < 1) {
      throw new IllegalArgumentException("feature cutoff dim must be >= 1, got " + dim);
    }
  }

  @Override
  public SentenceView apply(SentenceView v, Rng rng) {
    boolean[] chosen = TextViewRates.choose(dim, (int) Math.round(rate * dim), rng);
    boolean[] cut = v.cutFeatures().length == dim ? v.cutFeatures().clone() : new boolean[dim];
    for (int j = 0; j < dim; j++) {
      cut[j] |= chosen[j];
    }
    return new SentenceView(v.tokens(), v.cutTokens(), cut);
  }
}
