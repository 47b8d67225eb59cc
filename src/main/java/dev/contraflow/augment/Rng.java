package dev.contraflow.augment;

/**
 * A small, splittable, serialisable random number generator (SplitMix64, Steele et al. 2014).
 *
 * <p>Randomness is passed into every component rather than created inside it, so a learner's
 * whole random state is one {@code long} that travels with its state: a restored learner draws
 * exactly the numbers an uninterrupted one would have drawn. {@link #split()} derives an
 * independent generator for a sub-task (one per view, one per record) without disturbing the
 * sequence of the parent beyond one draw.
 *
 * <p>Not thread-safe; give each thread its own split.
 */
public final class Rng {

  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

  private long state;

  public Rng(long seed) {
    this.state = seed;
  }

  /** The generator's whole state; {@code new Rng(r.state())} continues exactly where r is. */
  public long state() {
    return state;
  }

  public long nextLong() {
    long z = (state += GOLDEN_GAMMA);
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1). */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, 1). */
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /** Uniform in [lo, hi). */
  public double uniform(double lo, double hi) {
    return lo + (hi - lo) * nextDouble();
  }

  /** Uniform in [0, bound). */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be > 0, got " + bound);
    }
    return (int) ((nextLong() >>> 33) % bound);
  }

  /** True with probability p. */
  public boolean bernoulli(double p) {
    return nextDouble() < p;
  }

  /** Standard normal (Box-Muller; one value per call so the state stays one long). */
  public double nextGaussian() {
    double u1 = 1.0 - nextDouble();
    double u2 = nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }

  /** An independent generator seeded from this one's next draw. */
  public Rng split() {
    return new Rng(nextLong());
  }
}
