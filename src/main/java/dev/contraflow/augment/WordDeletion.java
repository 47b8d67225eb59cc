package dev.contraflow.augment;

/**
 * Deletes each word with probability {@code rate}, keeping at least one (a view must stay a
 * sentence). A discrete augmentation SimCSE found worse than dropout alone; here for comparison.
 */
public record WordDeletion(double rate) implements TextView {

  public WordDeletion {
    TextViewRates.check("word deletion", rate, "SimCSE's ablation used 0.1");
  }

  @Override
  public SentenceView apply(SentenceView v, Rng rng) {
    int n = v.length();
    boolean[] keep = new boolean[n];
    int kept = 0;
    for (int t = 0; t < n; t++) {
      keep[t] = !rng.bernoulli(rate);
      kept += keep[t] ? 1 : 0;
    }
    if (kept == 0) {
      keep[rng.nextInt(n)] = true;
      kept = 1;
    }
    int[][] tokens = new int[kept][];
    boolean[] cut = new boolean[kept];
    int out = 0;
    for (int t = 0; t < n; t++) {
      if (keep[t]) {
        tokens[out] = v.tokens()[t];
        cut[out++] = v.cutTokens()[t];
      }
    }
    return v.withTokens(tokens, cut);
  }
}
