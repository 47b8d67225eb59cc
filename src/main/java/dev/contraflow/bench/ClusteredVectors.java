package dev.contraflow.bench;

import java.util.Random;

/**
 * Synthetic embeddings with the structure real ones have: unit vectors scattered around {@code
 * clusters} random directions (a mixture of Gaussians projected onto the sphere). Uniform random
 * vectors would be the worst case for any graph index and unlike any trained encoder's output;
 * {@code spread} sets how far a vector strays from its centre (per-coordinate standard deviation
 * relative to the centre's, so 1 means as much noise as signal).
 */
public final class ClusteredVectors {

  private final int dim;
  private final double spread;
  private final float[][] centres;

  /** The centres are drawn from {@code random}; so are the vectors, by {@link #next}. */
  public ClusteredVectors(int dim, int clusters, double spread, Random random) {
    if (dim < 1 || clusters < 1 || !(spread >= 0)) {
      throw new IllegalArgumentException("dim = " + dim + ", clusters = " + clusters
          + ", spread = " + spread + ": use dim >= 1, clusters >= 1, spread >= 0");
    }
    this.dim = dim;
    this.spread = spread;
    this.centres = new float[clusters][];
    for (int c = 0; c < clusters; c++) {
      centres[c] = unit(gaussian(random, 1));
    }
  }

  public int dim() {
    return dim;
  }

  /** One unit vector near a centre chosen uniformly. */
  public float[] next(Random random) {
    float[] centre = centres[random.nextInt(centres.length)];
    // the centre has norm 1, so coordinates of about 1/sqrt(dim): noise on the same scale
    float[] v = gaussian(random, spread / Math.sqrt(dim));
    for (int i = 0; i < dim; i++) {
      v[i] += centre[i];
    }
    return unit(v);
  }

  /** {@code n} vectors, one per row. */
  public float[][] next(int n, Random random) {
    float[][] rows = new float[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = next(random);
    }
    return rows;
  }

  private float[] gaussian(Random random, double sd) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) (random.nextGaussian() * sd);
    }
    return v;
  }

  private static float[] unit(float[] v) {
    double squares = 0;
    for (float x : v) {
      squares += (double) x * x;
    }
    double norm = Math.sqrt(squares);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] / norm);
    }
    return v;
  }
}
