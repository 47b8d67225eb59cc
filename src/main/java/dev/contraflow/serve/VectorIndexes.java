package dev.contraflow.serve;

import dev.contraflow.avro.EmbeddingRecord;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The approximate indexes of this instance's part of the table: one {@link HnswIndex} per (model,
 * version) that is searched and holds at least {@link IndexOptions#threshold()} vectors here.
 *
 * <p>Life of an index: an exact search of a version finds that it is large enough ({@link
 * #afterScan}); one background thread fills a new index from a scan of that version's rows, while
 * the table's processor already hands it every row of the version stored meanwhile ({@link
 * #stored}); from then on the processor keeps it current, one vector at a time, and searches of
 * that version use it. The caller says which version it searches (the current complete one, the
 * newest seen, or an explicit one: {@link TableQueries} decides), never this class. A rebalance
 * can move partitions in or out, so it drops every index ({@link #clear}); the table's eviction of
 * a version drops that version's ({@link #evicted}); so does a version whose tombstones outnumber
 * its live vectors. Each rebuilds from the table on the next search that needs it, one build at a
 * time.
 */
final class VectorIndexes implements AutoCloseable {

  /** An index ready to answer, and the version it holds. */
  record Ready(long version, HnswIndex index) {
  }

  private record Key(String modelId, long version) {
  }

  private static final class Entry {
    final HnswIndex index;
    volatile boolean ready;
    volatile boolean dropped;
    volatile long lastSearched = System.nanoTime();

    Entry(HnswIndex index) {
      this.index = index;
    }

    long nodes() {
      return (long) index.size() + index.tombstones();
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(VectorIndexes.class);
  // A rebuild is a scan of the table: worth it once the dead nodes are as many as the live ones.
  private static final int MIN_TOMBSTONES_TO_REBUILD = 1024;
  // The level draw's seed: a rebuild of the same rows makes the same graph.
  private static final long SEED = 42;

  private final IndexOptions options;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
  private final ThreadPoolExecutor builder;

  VectorIndexes(IndexOptions options) {
    this.options = options;
    // one build at a time, a few waiting: a burst of searches of new versions cannot pile up scans
    this.builder = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4),
        RequestWorkers.daemonThreads("serve-index-build-"), new ThreadPoolExecutor.AbortPolicy());
  }

  static VectorIndexes off() {
    return new VectorIndexes(IndexOptions.off());
  }

  IndexOptions options() {
    return options;
  }

  /** The table stored {@code row} in its version: called by the table's processor for each. */
  void stored(EmbeddingRecord row) {
    if (!options.enabled()) {
      return;
    }
    Key key = new Key(row.getModelId(), row.getModelVersion());
    Entry entry = entries.get(key);
    if (entry != null && row.getDim() == entry.index.dim()) {
      entry.index.add(row.getId(), EmbeddingJson.floats(row.getVector()));
      dropIfWorn(key, entry);
    }
  }

  /** The table deleted every row of the version: its index goes with them. */
  void evicted(String modelId, long version) {
    Entry entry = entries.remove(new Key(modelId, version));
    if (entry != null) {
      entry.dropped = true;
    }
  }

  /**
   * The index that answers a search of {@code version} of {@code modelId} with a {@code
   * dim}-vector, if one is ready and large enough to pay.
   */
  Optional<Ready> forSearch(String modelId, long version, int dim) {
    if (!options.enabled()) {
      return Optional.empty();
    }
    Entry entry = entries.get(new Key(modelId, version));
    if (entry == null || !entry.ready || entry.index.dim() != dim
        || entry.index.size() < options.threshold()) {
      return Optional.empty();
    }
    entry.lastSearched = System.nanoTime();
    return Optional.of(new Ready(version, entry.index));
  }

  /**
   * An exact search ranked {@code ranked} vectors of {@code dim} of {@code version}: when that is
   * large enough, an index for it is built in the background from {@code scan}.
   *
   * @param scan visits every row of a (model, version) held here, as {@link
   *     LocalTable#forEachOfVersion} does
   */
  void afterScan(String modelId, long version, long ranked, int dim, VersionScan scan) {
    if (!options.enabled() || ranked < options.threshold()) {
      return;
    }
    if (ranked > options.maxVectors()) {
      LOG.warn("model {} version {} has {} vectors here, more than --index-max-vectors {}: "
          + "searched exactly", modelId, version, ranked, options.maxVectors());
      return;
    }
    Key key = new Key(modelId, version);
    Entry entry = new Entry(new HnswIndex(dim, options.m(), options.beamWidth(), SEED));
    if (entries.putIfAbsent(key, entry) != null) {
      return;
    }
    makeRoom(key, ranked);
    try {
      builder.execute(() -> build(key, entry, scan));
    } catch (java.util.concurrent.RejectedExecutionException busy) {
      entries.remove(key, entry);
    }
  }

  /** Visits the rows of one version of a model. */
  @FunctionalInterface
  interface VersionScan {
    void scan(String modelId, long version, Consumer<EmbeddingRecord> visit);
  }

  /** Partitions may have moved: every index may miss or hold rows of the wrong instance. */
  void clear() {
    entries.values().forEach(e -> e.dropped = true);
    entries.clear();
  }

  /** Vectors held by every index, tombstones included. */
  long nodes() {
    return entries.values().stream().mapToLong(Entry::nodes).sum();
  }

  @Override
  public void close() {
    clear();
    builder.shutdownNow();
  }

  private void build(Key key, Entry entry, VersionScan scan) {
    long started = System.nanoTime();
    try {
      scan.scan(key.modelId(), key.version(), row -> {
        if (entry.dropped) {
          throw new CancellationException("index dropped");
        }
        if (row.getDim() == entry.index.dim()) {
          entry.index.add(row.getId(), EmbeddingJson.floats(row.getVector()));
        }
      });
      entry.ready = true;
      LOG.info("index of model {} version {}: {} vectors in {} ms", key.modelId(), key.version(),
          entry.index.size(), (System.nanoTime() - started) / 1_000_000);
    } catch (CancellationException dropped) {
      entries.remove(key, entry);
    } catch (RuntimeException e) {
      // the stores went away (a rebalance, a shutdown): the next search retries
      entries.remove(key, entry);
      LOG.warn("index of model {} version {} not built: {}", key.modelId(), key.version(),
          e.toString());
    }
  }

  private void dropIfWorn(Key key, Entry entry) {
    int tombstones = entry.index.tombstones();
    if ((tombstones >= MIN_TOMBSTONES_TO_REBUILD && tombstones > entry.index.size())
        || entry.nodes() > options.maxVectors()) {
      entry.dropped = true;
      entries.remove(key, entry);
    }
  }

  /** Drops the least recently searched indexes until {@code needed} more vectors fit. */
  private void makeRoom(Key keep, long needed) {
    List<Map.Entry<Key, Entry>> oldestFirst = entries.entrySet().stream()
        .filter(e -> !e.getKey().equals(keep))
        .sorted(Comparator.comparingLong(e -> e.getValue().lastSearched))
        .toList();
    for (Map.Entry<Key, Entry> e : oldestFirst) {
      if (nodes() + needed <= options.maxVectors()) {
        return;
      }
      e.getValue().dropped = true;
      entries.remove(e.getKey(), e.getValue());
    }
  }
}
