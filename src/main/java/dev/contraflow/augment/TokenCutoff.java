package dev.contraflow.augment;

/**
 * ConSERT's token cutoff (Yan et al. 2021; Shen et al. 2020): the embeddings of round(rate * n)
 * randomly chosen tokens are zeroed (at least one when rate > 0, never all of a sentence of more
 * than one token). ConSERT uses rates around 0.1-0.2.
 */
public record TokenCutoff(double rate) implements TextView {

  public TokenCutoff {
    TextViewRates.check("token cutoff", rate, "ConSERT uses 0.15");
  }

  @Override
  public SentenceView apply(SentenceView v, Rng rng) {
    int n = v.length();
    int k = rate == 0 ? 0 : Math.max(1, (int) Math.round(rate * n));
    k = Math.min(k, Math.max(0, n - 1));
    boolean[] chosen = TextViewRates.choose(n, k, rng);
    boolean[] cut = v.cutTokens().clone();
    for (int t = 0; t < n; t++) {
      cut[t] |= chosen[t];
    }
    return v.withTokens(v.tokens(), cut);
  }
}
