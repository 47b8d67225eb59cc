package dev.contraflow.serve;

import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.Modality;
import dev.contraflow.bench.ClusteredVectors;
import java.io.PrintStream;
import java.time.Instant;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * {@code contraflow bench serve}: the two ways serve ranks one model version, measured on the same
 * synthetic vectors and queries: the exact ranking ({@link NearestNeighbours}, offered every
 * vector) and the HNSW index ({@link HnswIndex}), with the index's recall@k against the exact
 * answer.
 *
 * <p>What is measured: the ranking alone, on one thread, vectors in memory. A served exact search
 * also reads every row from RocksDB and decodes it (more than the ranking costs), and a served
 * index search also checks its k answers against the table (k point lookups); HTTP, JSON and
 * fan-out come on top of both. So the exact figures here are a lower bound of what serve's exact
 * path costs, and the ratio is what the index saves at the least.
 */
public final class SearchBenchmark {

  /** One size: how long the index took to build, and each path's latency and QPS. */
  public record Row(int vectors, int dim, double buildSeconds, Latency exact, Latency index,
      double recall) {
  }

  /** Latency of one search in milliseconds, and searches per second on one thread. */
  public record Latency(double qps, double p50Ms, double p99Ms) {

    static Latency of(long[] nanos) {
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      double total = Arrays.stream(sorted).sum() / 1e9;
      return new Latency(sorted.length / total, percentile(sorted, 0.50) / 1e6,
          percentile(sorted, 0.99) / 1e6);
    }

    private static double percentile(long[] sorted, double p) {
      return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    }
  }

  private static final int WARMUP_QUERIES = 20;

  private final int dim;
  private final int clusters;
  private final int k;
  private final int queries;
  private final IndexOptions index;
  private final PrintStream out;

  /**
   * @param clusters centres of the synthetic mixture ({@link ClusteredVectors}, spread 1)
   * @param k the top k asked for and compared
   * @param queries measured searches per path and size (after {@value #WARMUP_QUERIES} unmeasured)
   */
  public SearchBenchmark(int dim, int clusters, int k, int queries, IndexOptions index,
      PrintStream out) {
    this.dim = dim;
    this.clusters = clusters;
    this.k = k;
    this.queries = queries;
    this.index = index;
    this.out = out;
  }

  /** Builds, searches and compares at {@code size} vectors. */
  public Row run(int size, long seed) {
    Random random = new Random(seed);
    ClusteredVectors mixture = new ClusteredVectors(dim, clusters, 1.0, random);
    EmbeddingRecord[] rows = new EmbeddingRecord[size];
    HnswIndex hnsw = new HnswIndex(dim, index.m(), index.beamWidth(), seed);
    long started = System.nanoTime();
    for (int i = 0; i < size; i++) {
      float[] v = mixture.next(random);
      rows[i] = row("v" + i, v);
      hnsw.add(rows[i].getId(), v);
      if ((i + 1) % 100_000 == 0) {
        out.printf("  %,d vectors indexed (%.0f s)%n", i + 1, (System.nanoTime() - started) / 1e9);
      }
    }
    double buildSeconds = (System.nanoTime() - started) / 1e9;
    float[][] asked = mixture.next(WARMUP_QUERIES + queries, random);

    long[] exactNanos = new long[queries];
    long[] indexNanos = new long[queries];
    double recall = 0;
    for (int q = 0; q < asked.length; q++) {
      long t0 = System.nanoTime();
      List<String> exact = exact(rows, asked[q]);
      long t1 = System.nanoTime();
      List<String> approximate = hnsw.search(asked[q], k, null, index.candidates()).stream()
          .map(HnswIndex.Candidate::id).toList();
      long t2 = System.nanoTime();
      if (q >= WARMUP_QUERIES) {
        exactNanos[q - WARMUP_QUERIES] = t1 - t0;
        indexNanos[q - WARMUP_QUERIES] = t2 - t1;
        recall += recall(approximate, exact);
      }
    }
    return new Row(size, dim, buildSeconds, Latency.of(exactNanos), Latency.of(indexNanos),
        recall / queries);
  }

  /** The fraction of {@code exact} that {@code approximate} found (recall@k, k = exact's size). */
  static double recall(List<String> approximate, List<String> exact) {
    if (exact.isEmpty()) {
      return 1;
    }
    Set<String> found = new HashSet<>(approximate);
    return exact.stream().filter(found::contains).count() / (double) exact.size();
  }

  private List<String> exact(EmbeddingRecord[] rows, float[] query) {
    NearestNeighbours ranking = new NearestNeighbours(query, k, VersionRule.only(1), null);
    for (EmbeddingRecord r : rows) {
      ranking.offer(r);
    }
    return ranking.result().hits().stream().map(NearestNeighbours.Hit::id).toList();
  }

  /** An embedding as the table stores it, its vector a view of {@code v} (no boxed copies). */
  private static EmbeddingRecord row(String id, float[] v) {
    return EmbeddingRecord.newBuilder()
        .setId(id)
        .setModality(Modality.IMAGE)
        .setModelId("bench")
        .setModelVersion(1)
        .setDim(v.length)
        .setNormalized(true)
        .setVector(new AbstractList<>() {
          @Override
          public Float get(int i) {
            return v[i];
          }

          @Override
          public int size() {
            return v.length;
          }
        })
        .setSourceTopic("bench")
        .setSourcePartition(0)
        .setSourceOffset(0)
        .setEventTime(Instant.EPOCH)
        .setEmittedAt(Instant.EPOCH)
        .build();
  }
}
