package dev.contraflow.augment;

/**
 * ESimCSE's positive view (Wu et al. 2022): a few words are repeated in place ("a cat sat" ->
 * "a a cat sat"), so the positive differs in length from its anchor and the encoder cannot use
 * length to find it. The number of duplicated words is uniform in [0, max(2, rate * n)] for a
 * sentence of n words; the paper's duplication rate is 0.32.
 */
public record WordRepetition(double rate) implements TextView {

  public WordRepetition {
    TextViewRates.check("word repetition", rate, "ESimCSE uses 0.32");
  }

  public static WordRepetition esimcse() {
    return new WordRepetition(0.32);
  }

  @Override
  public SentenceView apply(SentenceView v, Rng rng) {
    int n = v.length();
    int most = Math.max(2, (int) (rate * n));
    boolean[] repeat = TextViewRates.choose(n, rng.nextInt(most + 1), rng);
    int extra = 0;
    for (boolean r : repeat) {
      extra += r ? 1 : 0;
    }
    int[][] tokens = new int[n + extra][];
    boolean[] cut = new boolean[n + extra];
    int out = 0;
    for (int t = 0; t < n; t++) {
      int copies = repeat[t] ? 2 : 1;
      for (int c = 0; c < copies; c++) {
        tokens[out] = v.tokens()[t];
        cut[out++] = v.cutTokens()[t];
      }
    }
    return v.withTokens(tokens, cut);
  }
}
