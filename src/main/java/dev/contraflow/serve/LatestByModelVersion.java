package dev.contraflow.serve;

import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.io.record.UndecodableRecordException;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
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
 * <p>Undecodable values (and records whose vector does not have {@code dim} floats, or has a NaN or
 * infinite one) are counted and
 * logged with topic, partition and offset, then skipped: one bad record must not stop the table.
 */
final class LatestByModelVersion implements Processor<byte[], byte[], Void, Void> {

  private static final Logger LOG = LoggerFactory.getLogger(LatestByModelVersion.class);

  private final RecordCodec<EmbeddingRecord> codec;
  private final long historyRetentionMs;
  private final TableCounters counters;
  private final VectorIndexes indexes;
  private ProcessorContext<Void, Void> context;
  private VersionedKeyValueStore<EmbeddingKey, EmbeddingRecord> history;
  private KeyValueStore<EmbeddingKey, EmbeddingRecord> latest;

  LatestByModelVersion(RecordCodec<EmbeddingRecord> codec, Duration historyRetention,
      TableCounters counters, VectorIndexes indexes) {
    this.codec = codec;
    this.historyRetentionMs = historyRetention.toMillis();
    this.counters = counters;
    this.indexes = indexes;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.context = context;
    this.history = context.getStateStore(EmbeddingTable.HISTORY_STORE);
    this.latest = context.getStateStore(EmbeddingTable.LATEST_STORE);
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
    indexes.stored(current == null ? null : current.value(), embedding);
    counters.countStored();
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
