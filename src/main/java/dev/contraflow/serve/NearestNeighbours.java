package dev.contraflow.serve;

import dev.contraflow.avro.EmbeddingRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * Exact cosine top-k over a stream of candidates, in one pass and O(k) memory: offer every
 * embedding of a model, then read {@link #result()}.
 *
 * <p>Under {@link VersionRule.Kind#NEWEST} the ranking restarts whenever a newer version than any
 * seen shows up, so the result holds only vectors of the newest version offered.
 */
final class NearestNeighbours {

  /** One neighbour: cosine similarity to the query, in [-1, 1]. */
  record Hit(String id, long modelVersion, double score) {
  }

  /**
   * The ranking, best first, and the model versions it answers from. {@code mismatch} is a
   * candidate of a ranked version whose dimension differs from the query's, or null; {@code
   * unrankable} counts candidates whose score is NaN (a NaN or infinite entry), left out.
   */
  record Result(List<Hit> hits, List<Long> versions, long ranked, long offered,
      EmbeddingRecord mismatch, long oldestOffered, long newestOffered, long unrankable) {
  }

  // Worst first, so the head is the one to drop; ties broken by id for a stable answer.
  private static final Comparator<Hit> WORST_FIRST = Comparator.comparingDouble(Hit::score)
      .thenComparing(Hit::id, Comparator.reverseOrder());

  private final float[] query;
  private final double queryNorm;
  private final int k;
  private final VersionRule rule;
  private final String excludedId;
  private final PriorityQueue<Hit> best = new PriorityQueue<>(WORST_FIRST);
  private final TreeSet<Long> mixedVersions = new TreeSet<>();
  private long newest = Long.MIN_VALUE;
  private long oldestOffered = Long.MAX_VALUE;
  private long offered;
  private long ranked;
  private long unrankable;
  private EmbeddingRecord mismatch;

  /**
   * @param query the query vector, any norm but zero
   * @param excludedId an id never returned (the query's own, in a search by id), or null
   */
  NearestNeighbours(float[] query, int k, VersionRule rule, String excludedId) {
    this.query = query;
    this.queryNorm = norm(query);
    this.k = k;
    this.rule = rule;
    this.excludedId = excludedId;
  }

  void offer(EmbeddingRecord candidate) {
    long version = candidate.getModelVersion();
    offered++;
    oldestOffered = Math.min(oldestOffered, version);
    if (version > newest) {
      newest = version;
      if (rule.kind() == VersionRule.Kind.NEWEST) {
        restart();
      }
    }
    if (!ranks(version) || candidate.getId().equals(excludedId)) {
      return;
    }
    if (candidate.getDim() != query.length) {
      mismatch = candidate;
      return;
    }
    double score = cosine(query, queryNorm, candidate.getVector());
    if (Double.isNaN(score)) {
      // A stored vector with a NaN (or infinite) entry has no direction; Double.compare would
      // rank NaN above every real score, so it is left out of the ranking altogether (issue 14).
      unrankable++;
      return;
    }
    ranked++;
    if (rule.kind() == VersionRule.Kind.MIXED) {
      mixedVersions.add(version);
    }
    best.add(new Hit(candidate.getId(), version, score));
    if (best.size() > k) {
      best.poll();
    }
  }

  Result result() {
    List<Hit> hits = new ArrayList<>(best);
    hits.sort(WORST_FIRST.reversed());
    return new Result(hits, versions(), ranked, offered, mismatch, oldestOffered, newest,
        unrankable);
  }

  /** The versions the answer comes from: the rule's one, or those of every vector ranked. */
  private List<Long> versions() {
    return switch (rule.kind()) {
      case NEWEST -> offered == 0 ? List.of() : List.of(newest);
      case ONLY -> List.of(rule.version());
      case MIXED -> List.copyOf(mixedVersions);
    };
  }

  private boolean ranks(long version) {
    return switch (rule.kind()) {
      case NEWEST -> version == newest;
      case ONLY -> version == rule.version();
      case MIXED -> true;
    };
  }

  private void restart() {
    best.clear();
    ranked = 0;
    unrankable = 0;
    mismatch = null;
  }

  /** The cosine of {@code query} (whose norm is {@code queryNorm}) with {@code candidate}. */
  static double cosine(float[] query, double queryNorm, List<Float> candidate) {
    double dot = 0;
    double squares = 0;
    for (int i = 0; i < query.length; i++) {
      float c = candidate.get(i);
      dot += (double) query[i] * c;
      squares += (double) c * c;
    }
    // A zero vector points nowhere: it is as unlike the query as it can be without being opposite.
    return squares == 0 ? 0 : dot / (queryNorm * Math.sqrt(squares));
  }

  static double norm(float[] v) {
    double squares = 0;
    for (float x : v) {
      squares += (double) x * x;
    }
    return Math.sqrt(squares);
  }
}
