package dev.contraflow.learn.replay;

import dev.contraflow.augment.Rng;

/** Uniform draws the buffer and the schedule share, all from a generator passed in. */
final class UniformDraw {

  private UniformDraw() {}

  /**
   * {@code k} distinct indices of [0, population), uniformly (a partial Fisher-Yates shuffle), in
   * the order drawn.
   */
  static int[] withoutReplacement(int population, int k, Rng rng) {
    if (k < 0 || k > population) {
      throw new IllegalArgumentException("cannot draw " + k + " of " + population);
    }
    int[] index = new int[population];
    for (int i = 0; i < population; i++) {
      index[i] = i;
    }
    for (int i = 0; i < k; i++) {
      int j = i + rng.nextInt(population - i);
      int t = index[i];
      index[i] = index[j];
      index[j] = t;
    }
    return java.util.Arrays.copyOf(index, k);
  }

  /**
   * Uniform in [0, bound) for a long bound (algorithm R counts records past 2^31). The modulo
   * bias is below bound / 2^63, far under anything a stream reaches.
   */
  static long below(long bound, Rng rng) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be > 0, got " + bound);
    }
    return (rng.nextLong() >>> 1) % bound;
  }
}
