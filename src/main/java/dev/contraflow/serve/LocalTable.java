package dev.contraflow.serve;

import dev.contraflow.avro.EmbeddingRecord;
import java.time.Instant;
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
 * <p>Two stores, because a versioned store answers point lookups only (no scans): the history
 * store for lookups by key, now or as of a time, and the latest store, keyed so that one model's
 * rows are one prefix, for search and size.
 */
public final class LocalTable {

  /** A point lookup in the history store, now ({@code asOf} null) or as of a time. */
  @FunctionalInterface
  public interface HistoryLookup {
    VersionedRecord<EmbeddingRecord> get(EmbeddingKey key, Instant asOf);
  }

  private final HistoryLookup history;
  private final Supplier<ReadOnlyKeyValueStore<EmbeddingKey, EmbeddingRecord>> latest;
  private final VectorIndexes indexes;

  /** Searched exactly, always. */
  public LocalTable(HistoryLookup history,
      Supplier<ReadOnlyKeyValueStore<EmbeddingKey, EmbeddingRecord>> latest) {
    this(history, latest, VectorIndexes.off());
  }

  LocalTable(HistoryLookup history,
      Supplier<ReadOnlyKeyValueStore<EmbeddingKey, EmbeddingRecord>> latest,
      VectorIndexes indexes) {
    this.history = history;
    this.latest = latest;
    this.indexes = indexes;
  }

  /** The approximate indexes over these rows, fed by the table's processor. */
  VectorIndexes indexes() {
    return indexes;
  }

  /** The newest row of the key held here, or null: what an index answer is checked against. */
  EmbeddingRecord latest(EmbeddingKey key) {
    return latest.get().get(key);
  }

  /** The key's embedding with the time it became the row's, or null when none is held here. */
  public VersionedRecord<EmbeddingRecord> get(EmbeddingKey key, Instant asOf) {
    return history.get(key, asOf);
  }

  /** Hands the newest embedding of every id of {@code modelId} held here to {@code visit}. */
  public void forEachLatest(String modelId, Consumer<EmbeddingRecord> visit) {
    try (KeyValueIterator<EmbeddingKey, EmbeddingRecord> rows =
        latest.get().prefixScan(modelId, EmbeddingKey.modelPrefix())) {
      while (rows.hasNext()) {
        // a request past its deadline is interrupted: stop scanning, free the worker
        if (Thread.currentThread().isInterrupted()) {
          throw new CancellationException("search interrupted");
        }
        visit.accept(rows.next().value);
      }
    }
  }

  /** Rows held here, all models (RocksDB's estimate). */
  public long approximateSize() {
    return latest.get().approximateNumEntries();
  }
}
