package dev.contraflow.serve;

import dev.contraflow.avro.EmbeddingRecord;
import java.time.Instant;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;

/**
 * This instance's part of the table, as the HTTP layer reads it: the partitions Kafka Streams
 * assigned here, nothing of the others.
 *
 * <p>Four stores, because a versioned store answers point lookups only (no scans): the history
 * store for lookups by key, now or as of a time; the latest store, each id's newest row, keyed so
 * that one model's rows are one prefix (mixVersions searches, size); the by-version store, every
 * kept version of every id, one version's rows a prefix (searches of one version, issue 13); and
 * the version counts beside it.
 */
public final class LocalTable {

  /** A point lookup in the history store, now ({@code asOf} null) or as of a time. */
  @FunctionalInterface
  public interface HistoryLookup {
    VersionedRecord<EmbeddingRecord> get(EmbeddingKey key, Instant asOf);
  }

  private final HistoryLookup history;
  private final Supplier<ReadOnlyKeyValueStore<EmbeddingKey, EmbeddingRecord>> latest;
  private final Supplier<ReadOnlyKeyValueStore<VersionRowKey, EmbeddingRecord>> versions;
  private final Supplier<ReadOnlyKeyValueStore<VersionRowKey, VersionCount>> counts;
  private final VectorIndexes indexes;
  private final VersionCatalog catalog;

  LocalTable(HistoryLookup history,
      Supplier<ReadOnlyKeyValueStore<EmbeddingKey, EmbeddingRecord>> latest,
      Supplier<ReadOnlyKeyValueStore<VersionRowKey, EmbeddingRecord>> versions,
      Supplier<ReadOnlyKeyValueStore<VersionRowKey, VersionCount>> counts,
      VectorIndexes indexes, VersionCatalog catalog) {
    this.history = history;
    this.latest = latest;
    this.versions = versions;
    this.counts = counts;
    this.indexes = indexes;
    this.catalog = catalog;
  }

  /** The approximate indexes over these rows, fed by the table's processor. */
  VectorIndexes indexes() {
    return indexes;
  }

  /** The versions' statuses from the checkpoints topic, and what is kept of them. */
  VersionCatalog catalog() {
    return catalog;
  }

  /** The row of (model, version, id) held here, or null: an index answer is checked against it. */
  EmbeddingRecord row(String modelId, long version, String id) {
    return versions.get().get(new VersionRowKey(modelId, version, id));
  }

  /** The key's embedding with the time it became the row's, or null when none is held here. */
  public VersionedRecord<EmbeddingRecord> get(EmbeddingKey key, Instant asOf) {
    return history.get(key, asOf);
  }

  /** Hands the newest embedding of every id of {@code modelId} held here to {@code visit}. */
  public void forEachLatest(String modelId, Consumer<EmbeddingRecord> visit) {
    try (KeyValueIterator<EmbeddingKey, EmbeddingRecord> rows =
        latest.get().prefixScan(modelId, EmbeddingKey.modelPrefix())) {
      visitAll(rows, visit);
    }
  }

  /** Hands every row of one version of {@code modelId} held here to {@code visit}. */
  void forEachOfVersion(String modelId, long version, Consumer<EmbeddingRecord> visit) {
    try (KeyValueIterator<VersionRowKey, EmbeddingRecord> rows = versions.get().prefixScan(
        VersionRowKey.ofVersion(modelId, version), VersionRowKey.versionPrefix())) {
      visitAll(rows, visit);
    }
  }

  /**
   * The versions of {@code modelId} held here, oldest first, with their rows summed over the
   * partitions of this instance.
   */
  NavigableMap<Long, VersionCount> versions(String modelId) {
    NavigableMap<Long, VersionCount> held = new TreeMap<>();
    // the store of an instance is one per partition: the same version shows up once in each
    try (KeyValueIterator<VersionRowKey, VersionCount> all =
        counts.get().prefixScan(modelId, EmbeddingKey.modelPrefix())) {
      all.forEachRemaining(kv -> held.merge(kv.key.version(), kv.value, VersionCount::plus));
    }
    return held;
  }

  private static <K> void visitAll(KeyValueIterator<K, EmbeddingRecord> rows,
      Consumer<EmbeddingRecord> visit) {
    while (rows.hasNext()) {
      // a request past its deadline is interrupted: stop scanning, free the worker
      if (Thread.currentThread().isInterrupted()) {
        throw new CancellationException("search interrupted");
      }
      visit.accept(rows.next().value);
    }
  }

  /** Rows held here, all models (RocksDB's estimate). */
  public long approximateSize() {
    return latest.get().approximateNumEntries();
  }
}
