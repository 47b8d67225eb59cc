package dev.contraflow.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * An approximate cosine index over the vectors of one model version: Lucene's HNSW graph
 * (Malkov &amp; Yashunin, "Efficient and robust approximate nearest neighbor search using
 * Hierarchical Navigable Small World graphs", 2018), grown one vector at a time as embeddings
 * arrive.
 *
 * <p>Vectors are stored L2-normalised, so cosine is Lucene's DOT_PRODUCT similarity. An id whose
 * row leaves this version (a newer version replaced it) or is re-emitted is a tombstone: its node
 * stays in the graph as a stepping stone but is never returned; {@link #tombstones()} tells the
 * owner when a rebuild pays. Adds take a write lock and searches a read lock: Lucene's on-heap
 * graph is not safe to search while a node is being linked in.
 */
final class HnswIndex {

  /** One candidate: the cosine of the query with the stored vector, in [-1, 1]. */
  record Candidate(String id, double score) {
  }

  private final int dim;
  private final List<float[]> vectors = new ArrayList<>();
  private final List<String> ids = new ArrayList<>();
  private final Map<String, Integer> ordOf = new HashMap<>();
  private final BitSet live = new BitSet();
  private final RandomAccessVectorValues.Floats values;
  private final HnswGraphBuilder graph;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();

  /**
   * @param dim the vectors' dimension
   * @param m Lucene's maxConn: neighbours kept per node and level (2m on the bottom level)
   * @param beamWidth candidates kept while linking a new node (efConstruction)
   * @param seed the seed of the level draw, so that a rebuild makes the same graph
   */
  HnswIndex(int dim, int m, int beamWidth, long seed) {
    this.dim = dim;
    // a live view of the list: the graph scores nodes added after it was created
    this.values = RandomAccessVectorValues.fromFloats(vectors, dim);
    try {
      RandomVectorScorerSupplier scorers = DefaultFlatVectorScorer.INSTANCE
          .getRandomVectorScorerSupplier(VectorSimilarityFunction.DOT_PRODUCT, values);
      this.graph = HnswGraphBuilder.create(scorers, m, beamWidth, seed);
    } catch (IOException e) {
      throw new UncheckedIOException("on-heap vectors cannot fail to read", e);
    }
  }

  int dim() {
    return dim;
  }

  /**
   * Makes {@code vector} the one of {@code id}; a vector it had before is never returned again. A
   * vector with a NaN or infinite value has no direction: it leaves {@code id} out instead (the
   * exact ranking leaves it out too).
   */
  void add(String id, float[] vector) {
    if (vector.length != dim) {
      throw new IllegalArgumentException("vector of " + id + " has " + vector.length
          + " dimensions, the index " + dim);
    }
    for (float x : vector) {
      if (!Float.isFinite(x)) {
        remove(id);
        return;
      }
    }
    float[] unit = unit(vector);
    lock.writeLock().lock();
    try {
      Integer before = ordOf.get(id);
      if (before != null) {
        live.clear(before);
      }
      int ord = vectors.size();
      vectors.add(unit);
      ids.add(id);
      ordOf.put(id, ord);
      live.set(ord);
      graph.addGraphNode(ord);
    } catch (IOException e) {
      throw new UncheckedIOException("on-heap vectors cannot fail to read", e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Leaves {@code id} out of every later answer (its row moved to another version). */
  void remove(String id) {
    lock.writeLock().lock();
    try {
      Integer ord = ordOf.remove(id);
      if (ord != null) {
        live.clear(ord);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Ids answered: one per id, its newest vector. */
  int size() {
    lock.readLock().lock();
    try {
      return ordOf.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Graph nodes no longer answered: superseded or removed vectors. */
  int tombstones() {
    lock.readLock().lock();
    try {
      return vectors.size() - ordOf.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The (approximately) {@code k} best by cosine, best first, never {@code excludedId}.
   *
   * @param candidates how many the graph search keeps while it walks (efSearch, at least k):
   *     more costs time and buys recall
   */
  List<Candidate> search(float[] query, int k, String excludedId, int candidates) {
    if (query.length != dim) {
      throw new IllegalArgumentException("query has " + query.length + " dimensions, the index "
          + dim);
    }
    float[] unit = unit(query);
    lock.readLock().lock();
    try {
      if (ordOf.isEmpty()) {
        return List.of();
      }
      Integer excluded = excludedId == null ? null : ordOf.get(excludedId);
      Bits accept = new Bits() {
        @Override
        public boolean get(int ord) {
          return live.get(ord) && (excluded == null || ord != excluded);
        }

        @Override
        public int length() {
          return vectors.size();
        }
      };
      RandomVectorScorer scorer = DefaultFlatVectorScorer.INSTANCE
          .getRandomVectorScorer(VectorSimilarityFunction.DOT_PRODUCT, values, unit);
      TopKnnCollector collector = new TopKnnCollector(Math.max(k, candidates), Integer.MAX_VALUE);
      HnswGraphSearcher.search(scorer, collector, graph.getGraph(), accept);
      List<Candidate> best = new ArrayList<>(k);
      for (ScoreDoc d : collector.topDocs().scoreDocs) {
        if (best.size() == k) {
          break;
        }
        best.add(new Candidate(ids.get(d.doc), dot(unit, vectors.get(d.doc))));
      }
      return best;
    } catch (IOException e) {
      throw new UncheckedIOException("on-heap vectors cannot fail to read", e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Bytes on the heap: the vectors, the ids' bookkeeping (estimated), and the graph. */
  long ramBytesUsed() {
    lock.readLock().lock();
    try {
      return (long) vectors.size() * (16L + 4L * dim + 64L) + graph.getGraph().ramBytesUsed();
    } finally {
      lock.readLock().unlock();
    }
  }

  // Lucene scores DOT_PRODUCT as (1 + dot) / 2; the cosine is recomputed in double instead.
  private static double dot(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
    }
    return dot;
  }

  private static float[] unit(float[] v) {
    double norm = NearestNeighbours.norm(v);
    float[] unit = new float[v.length];
    // a zero vector stays zero: it scores 0 against everything, as in the exact ranking
    for (int i = 0; i < v.length && norm > 0; i++) {
      unit[i] = (float) (v[i] / norm);
    }
    return unit;
  }
}
