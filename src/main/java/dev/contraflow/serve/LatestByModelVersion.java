package dev.contraflow.serve;

import dev.contraflow.avro.EmbeddingKind;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.io.record.UndecodableRecordException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one embeddings-topic record to the table: the newest model version of each (modelId,
 * id) wins, whatever order the records arrive in.
 *
 * <p>Why by version and not by arrival: a replay or backfill re-emits embeddings of an older model
 * after newer ones, and a reader asking for "the embedding of X" wants the newest model's. So an
 * embedding of an older version than the row holds is counted as superseded and left out; one of
 * the same version replaces the row (a re-emission).
 *
 * <p>The history store's time axis is the record timestamp (the job stamps each embedding with the
 * time it emitted it), kept monotonic per key: a newer version that carries an earlier timestamp
 * than the row it replaces takes the row's timestamp, so "latest by time" is always "newest
 * version" and {@code asOf} answers what the table served at that time. A key first seen with a
 * timestamp older than the history retention behind its partition's stream time enters at the
 * oldest time the store still keeps, instead of being refused.
 *
 * <p>Every embedding also becomes the row of (modelId, version, id) in the by-version store, so
 * that the versions of a model coexist (issue 13): the one the default search answers from, the
 * one a refresh is filling, and what {@link VersionCatalog} keeps besides. The version counts
 * store keeps each version's rows and refresh rows in step with it, in the same task (so a restore
 * restores both alike). Versions the catalog no longer keeps are deleted whole, when a version new
 * to the partition arrives and every {@link #EVICT_EVERY} (the checkpoints topic may have moved the
 * current version meanwhile).
 *
 * <p>Undecodable values (and records whose vector does not have {@code dim} floats, or has a NaN or
 * infinite one) are counted and
 * logged with topic, partition and offset, then skipped: one bad record must not stop the table.
 */
final class LatestByModelVersion implements Processor<byte[], byte[], Void, Void> {

  private static final Logger LOG = LoggerFactory.getLogger(LatestByModelVersion.class);
  static final Duration EVICT_EVERY = Duration.ofSeconds(2);

  private final RecordCodec<EmbeddingRecord> codec;
  private final long historyRetentionMs;
  private final TableCounters counters;
  private final VectorIndexes indexes;
  private final VersionCatalog catalog;
  private ProcessorContext<Void, Void> context;
  private VersionedKeyValueStore<EmbeddingKey, EmbeddingRecord> history;
  private KeyValueStore<EmbeddingKey, EmbeddingRecord> latest;
  private KeyValueStore<VersionRowKey, EmbeddingRecord> rows;
  private KeyValueStore<VersionRowKey, VersionCount> counts;

  LatestByModelVersion(RecordCodec<EmbeddingRecord> codec, Duration historyRetention,
      TableCounters counters, VectorIndexes indexes, VersionCatalog catalog) {
    this.codec = codec;
    this.historyRetentionMs = historyRetention.toMillis();
    this.counters = counters;
    this.indexes = indexes;
    this.catalog = catalog;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.context = context;
    this.history = context.getStateStore(EmbeddingTable.HISTORY_STORE);
    this.latest = context.getStateStore(EmbeddingTable.LATEST_STORE);
    this.rows = context.getStateStore(EmbeddingTable.VERSIONS_STORE);
    this.counts = context.getStateStore(EmbeddingTable.VERSION_COUNTS_STORE);
    context.schedule(EVICT_EVERY, PunctuationType.WALL_CLOCK_TIME, now -> evictEveryModel());
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    counters.countRead();
    EmbeddingRecord embedding;
    try {
      embedding = usable(codec.decode(record.value()));
    } catch (UndecodableRecordException e) {
      long n = counters.countUndecodable();
      warnSampled(n, "skipped undecodable embedding at " + where() + ": " + e.getMessage()
          + " (" + n + " so far)");
      return;
    }
    storeVersionRow(embedding);
    EmbeddingKey key = new EmbeddingKey(embedding.getModelId(), embedding.getId());
    VersionedRecord<EmbeddingRecord> current = history.get(key);
    if (current != null && current.value().getModelVersion() > embedding.getModelVersion()) {
      counters.countSuperseded();
      return;
    }
    long validFrom = validFrom(record.timestamp(), current);
    if (history.put(key, embedding, validFrom) == VersionedKeyValueStore.PUT_RETURN_CODE_NOT_PUT) {
      // Only after a restart whose restored store is ahead of the task's stream time.
      long n = counters.countExpired();
      warnSampled(n, "history store refused " + key + " at " + where() + " (timestamp "
          + validFrom + " is older than its retention); " + n + " so far");
      return;
    }
    latest.put(key, embedding);
    counters.countStored();
  }

  /** The row of (model, version, id), its version's counts, and the version's index. */
  private void storeVersionRow(EmbeddingRecord embedding) {
    String modelId = embedding.getModelId();
    long version = embedding.getModelVersion();
    VersionRowKey row = new VersionRowKey(modelId, version, embedding.getId());
    VersionRowKey whole = VersionRowKey.ofVersion(modelId, version);
    EmbeddingRecord before = rows.get(row);
    VersionCount count = counts.get(whole);
    boolean newVersion = count == null;
    count = count == null ? VersionCount.NONE : count;
    // A row counts as refreshed once its version's refresh embedding arrived. The job embeds a
    // micro-batch by the model before its updates, so a record right after a publish carries the
    // published version: its NEW embedding then takes the row (the id's newest input, by the same
    // model) and the id stays counted, or the version could never complete.
    long refreshed = isRefresh(embedding) && (before == null || !isRefresh(before)) ? 1 : 0;
    counts.put(whole, count.plus(new VersionCount(before == null ? 1 : 0, refreshed)));
    rows.put(row, embedding);
    indexes.stored(embedding);
    if (newVersion) {
      evict(modelId);
    }
  }

  private static boolean isRefresh(EmbeddingRecord e) {
    return e.getKind() == EmbeddingKind.REFRESH;
  }

  private void evictEveryModel() {
    List<String> models = new ArrayList<>();
    try (KeyValueIterator<VersionRowKey, VersionCount> all = counts.all()) {
      all.forEachRemaining(kv -> {
        if (models.isEmpty() || !models.get(models.size() - 1).equals(kv.key.modelId())) {
          models.add(kv.key.modelId());
        }
      });
    }
    models.forEach(this::evict);
  }

  /** Deletes the rows of every version of the model the catalog no longer keeps. */
  private void evict(String modelId) {
    NavigableMap<Long, VersionCount> held = new TreeMap<>();
    try (KeyValueIterator<VersionRowKey, VersionCount> versions =
        counts.prefixScan(modelId, EmbeddingKey.modelPrefix())) {
      versions.forEachRemaining(kv -> held.put(kv.key.version(), kv.value));
    }
    for (long version : catalog.evictable(modelId, held)) {
      VersionRowKey whole = VersionRowKey.ofVersion(modelId, version);
      List<VersionRowKey> doomed = new ArrayList<>();
      try (KeyValueIterator<VersionRowKey, EmbeddingRecord> versionRows =
          rows.prefixScan(whole, VersionRowKey.versionPrefix())) {
        versionRows.forEachRemaining(kv -> doomed.add(kv.key));
      }
      doomed.forEach(rows::delete);
      counts.delete(whole);
      indexes.evicted(modelId, version);
      counters.countEvicted(doomed.size());
    }
  }

  private static EmbeddingRecord usable(EmbeddingRecord e) throws UndecodableRecordException {
    if (e.getVector().size() != e.getDim()) {
      throw new UndecodableRecordException("embedding " + e.getId() + " of model "
          + e.getModelId() + " says dim " + e.getDim() + " but has " + e.getVector().size()
          + " floats");
    }
    // A NaN or infinite value has no cosine with anything: refused here, so that no search
    // meets it (NearestNeighbours leaves such vectors out as well, for stores filled before).
    for (int i = 0; i < e.getVector().size(); i++) {
      if (!Float.isFinite(e.getVector().get(i))) {
        throw new UndecodableRecordException("embedding " + e.getId() + " of model "
            + e.getModelId() + " has " + e.getVector().get(i) + " at [" + i + "]");
      }
    }
    return e;
  }

  private long validFrom(long timestamp, VersionedRecord<EmbeddingRecord> current) {
    long oldestKept = context.currentStreamTimeMs() - historyRetentionMs;
    long floor = current == null ? oldestKept : Math.max(current.timestamp(), oldestKept);
    return Math.max(timestamp, floor);
  }

  private String where() {
    return context.recordMetadata()
        .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
        .orElse("(no record metadata)");
  }

  /** The first ten of a kind, then every thousandth: a topic full of garbage must not flood. */
  private static void warnSampled(long n, String message) {
    if (n <= 10 || n % 1000 == 0) {
      LOG.warn(message);
    }
  }
}
