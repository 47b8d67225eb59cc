package dev.contraflow.augment;

/** Validation shared by the text views' rate parameters. */
final class TextViewRates {

  private TextViewRates() {}

  static double check(String view, double rate, String paperValue) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException(
          view + " rate must be in [0, 1], got " + rate + " (" + paperValue + ")");
    }
    return rate;
  }

  /** k distinct indices of [0, n), in increasing order (partial Fisher-Yates). */
  static boolean[] choose(int n, int k, Rng rng) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    boolean[] chosen = new boolean[n];
    for (int i = 0; i < Math.min(k, n); i++) {
      int j = i + rng.nextInt(n - i);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
      chosen[order[i]] = true;
    }
    return chosen;
  }
}
