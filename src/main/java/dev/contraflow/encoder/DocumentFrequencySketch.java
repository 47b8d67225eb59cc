package dev.contraflow.encoder;

import java.util.Arrays;

/**
 * Document frequencies of tokens counted from the stream itself, in bounded memory: a count-min
 * sketch (Cormode and Muthukrishnan 2005) of {@link #DEPTH} rows of {@link #WIDTH} counters, keyed
 * by a token's whole id tuple (its word id and n-gram ids, so two words that share a hashed word
 * bucket still count apart in most rows). A token's count is the minimum over its rows: never
 * below its true document frequency, above it only by collisions in every row.
 *
 * <p>Each sentence adds at most 1 to a counter, so no counter exceeds the number of sentences N.
 * N is bounded: on reaching {@link #MAX_DOCUMENTS} every counter and N are halved (rounded down),
 * so old sentences fade by halves and every value stays an integer below 2^24, which a float holds
 * exactly: the sketch lives in the learner state as floats and restores bit-identically.
 *
 * <p>It feeds SIF pooling (Arora et al. 2017): a token weighs {@code a / (a + p)}, with p its
 * document frequency over N, so words in most sentences ("the", "of") count little and rare ones
 * almost fully, as IDF weighs them in TF-IDF.
 *
 * <p>Layout of the backing array: [N, row 0's counters, row 1's, ...]. The array is live: the
 * learner's {@code Networks} load a state's copy into it and capture it after a step.
 */
public final class DocumentFrequencySketch {

  /** Rows of the sketch: independent hashes of a token. */
  public static final int DEPTH = 4;
  /** Counters per row (a power of two). */
  public static final int WIDTH = 1 << 16;
  /** N at which every count halves: 2^22 sentences, far below float's exact 2^24. */
  public static final int MAX_DOCUMENTS = 1 << 22;

  private static final long[] ROW_SEEDS = {
      0x9E3779B97F4A7C15L, 0xC2B2AE3D27D4EB4FL, 0x165667B19E3779F9L, 0xD6E8FEB86659FD93L};

  private final float[] values;

  /** A sketch over {@code values}, which it reads and writes in place. */
  public DocumentFrequencySketch(float[] values) {
    if (values.length != size()) {
      throw new IllegalArgumentException("a document-frequency sketch holds " + size()
          + " values (N and " + DEPTH + " x " + WIDTH + " counters), got " + values.length);
    }
    this.values = values;
  }

  /** Values of an empty sketch: N = 0 and every counter 0. */
  public static float[] emptyValues() {
    return new float[size()];
  }

  private static int size() {
    return 1 + DEPTH * WIDTH;
  }

  /** N: sentences counted (after any halvings). */
  public long documents() {
    return (long) values[0];
  }

  /**
   * Counts one sentence: each distinct token once.
   *
   * @param tokens tokens x slots ids, as {@code TokenizedSentence} holds them
   */
  public void observe(int[][] tokens) {
    int[] cells = new int[tokens.length];
    for (int row = 0; row < DEPTH; row++) {
      for (int t = 0; t < tokens.length; t++) {
        cells[t] = cell(tokens[t], row);
      }
      // a counter gains at most 1 per sentence, whatever its tokens repeat or collide on
      Arrays.sort(cells);
      for (int t = 0; t < cells.length; t++) {
        if (t == 0 || cells[t] != cells[t - 1]) {
          values[1 + row * WIDTH + cells[t]] += 1f;
        }
      }
    }
    values[0] += 1f;
    if (values[0] >= MAX_DOCUMENTS) {
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) Math.floor(values[i] / 2);
      }
    }
  }

  /** The token's count: the minimum over its rows, at least its true document frequency. */
  public long count(int[] token) {
    float min = Float.MAX_VALUE;
    for (int row = 0; row < DEPTH; row++) {
      min = Math.min(min, values[1 + row * WIDTH + cell(token, row)]);
    }
    return (long) min;
  }

  /**
   * SIF's weight {@code a / (a + p)} of a token, p = count / N; 1 (mean pooling) before any
   * sentence is counted.
   */
  public float sifWeight(int[] token, double a) {
    long n = documents();
    double p = n == 0 ? 0 : Math.min(1.0, (double) count(token) / n);
    return (float) (a / (a + p));
  }

  /**
   * TF-IDF's smoothed inverse document frequency of a token, {@code ln((1 + N) / (1 + df)) + 1}
   * with df its count; 1 for every token before any sentence is counted, as mean pooling.
   */
  public float idfWeight(int[] token) {
    long n = documents();
    return (float) (Math.log((1.0 + n) / (1.0 + Math.min(n, count(token)))) + 1);
  }

  /** The token's pooling weight under {@code pooling} ({@code a}: SIF's, unused otherwise). */
  public float weight(SentencePooling pooling, int[] token, double a) {
    return switch (pooling) {
      case MEAN -> 1f;
      case SIF -> sifWeight(token, a);
      case IDF -> idfWeight(token);
    };
  }

  private static int cell(int[] token, int row) {
    long h = ROW_SEEDS[row];
    for (int id : token) {
      h = mix(h ^ id);
    }
    return (int) (h >>> 40) & (WIDTH - 1);
  }

  /** SplitMix64's finaliser: every input bit moves every output bit. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
