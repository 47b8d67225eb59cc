package dev.contraflow.serve;

/**
 * When and how {@code contraflow serve} ranks by an approximate HNSW index instead of scanning
 * every vector (issue 14), validated once.
 *
 * @param threshold the fewest vectors of one model version held here for which a search uses an
 *     index; below it the exact scan is fast enough and always right. 0 turns indexes off
 * @param maxVectors the most vectors all indexes of this instance hold together (each costs its
 *     floats plus about 2m graph links on the heap); a version that does not fit is searched
 *     exactly, and the least recently searched indexes make room for a new one
 * @param m neighbours kept per graph node (Lucene's maxConn; HNSW's M)
 * @param beamWidth candidates kept while linking a new vector (efConstruction)
 * @param candidates candidates kept while searching (efSearch, at least k): more costs time and
 *     buys recall
 */
public record IndexOptions(int threshold, long maxVectors, int m, int beamWidth,
    int candidates) {

  /**
   * Below this a scan answers in tens of milliseconds and needs no graph to build and keep
   * ({@code bench serve --sizes 20000}: 43 ms p50 exact, 7 ms by the index, on the loaded 2-core
   * machine); above it the scan grows linearly.
   */
  public static final int DEFAULT_THRESHOLD = 20_000;
  public static final long DEFAULT_MAX_VECTORS = 2_000_000;
  /** Lucene's defaults, from the HNSW paper's recommended range. */
  public static final int DEFAULT_M = 16;
  public static final int DEFAULT_BEAM_WIDTH = 100;
  public static final int DEFAULT_CANDIDATES = 100;

  public IndexOptions {
    require(threshold >= 0, "--index-threshold", threshold,
        "use a number of vectors >= 0 (0 turns the index off)");
    require(maxVectors >= 1, "--index-max-vectors", maxVectors,
        "use a number of vectors >= 1");
    require(m >= 2 && m <= 512, "index m", m, "use 2..512 (16 is Lucene's default)");
    require(beamWidth >= 1 && beamWidth <= 3200, "index beamWidth", beamWidth,
        "use 1..3200 (100 is Lucene's default)");
    require(candidates >= 1 && candidates <= 10_000, "--index-candidates", candidates,
        "use 1..10000 (at least the k asked for is always kept)");
  }

  public static IndexOptions defaults() {
    return new IndexOptions(DEFAULT_THRESHOLD, DEFAULT_MAX_VECTORS, DEFAULT_M,
        DEFAULT_BEAM_WIDTH, DEFAULT_CANDIDATES);
  }

  /** Exact search always: no index is ever built. */
  public static IndexOptions off() {
    return new IndexOptions(0, DEFAULT_MAX_VECTORS, DEFAULT_M, DEFAULT_BEAM_WIDTH,
        DEFAULT_CANDIDATES);
  }

  public boolean enabled() {
    return threshold > 0;
  }

  private static void require(boolean ok, String option, Object value, String fix) {
    if (!ok) {
      throw new IllegalArgumentException(option + " = " + value + " is invalid: " + fix);
    }
  }
}
