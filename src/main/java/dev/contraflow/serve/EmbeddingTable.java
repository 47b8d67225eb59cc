package dev.contraflow.serve;

import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.RecordCodec;
import dev.contraflow.io.UndecodableRecordException;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;

/**
 * {@code contraflow serve}: the embeddings topic materialised as a table of the newest embedding
 * per (modelId, id), with its history.
 *
 * <pre>
 * embeddings ──► decode ──► LatestByModelVersion ──┬──► history store (versioned: GET, ?asOf=)
 *  (bytes)         └─ undecodable: counted, logged └──► latest store (scans: search, size)
 * </pre>
 */
public final class EmbeddingTable {

  /** Every version of every key within the history retention. Names carry a version (STYLE 12). */
  public static final String HISTORY_STORE = "embeddings-history-v1";
  /** The newest version of every key, scannable one model at a time. */
  public static final String LATEST_STORE = "embeddings-latest-v1";

  private EmbeddingTable() {
  }

  /**
   * The table's topology: raw bytes from {@code embeddingsTopic}, decoded by {@code codec} inside
   * the processor (so a bad value is counted, not fatal), into the two stores.
   *
   * @param historyRetention how far back {@code asOf} lookups reach
   * @param counters where the processors count what they read
   */
  public static Topology buildTopology(String embeddingsTopic, RecordCodec<EmbeddingRecord> codec,
      Duration historyRetention, TableCounters counters) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(Stores.versionedKeyValueStoreBuilder(
        Stores.persistentVersionedKeyValueStore(HISTORY_STORE, historyRetention),
        EmbeddingKey.serde(), storedEmbeddings()));
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(LATEST_STORE), EmbeddingKey.serde(), storedEmbeddings()));
    builder.stream(embeddingsTopic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
            .withName("embeddings"))
        .process(() -> new LatestByModelVersion(codec, historyRetention, counters),
            Named.as("latest-by-model-version"), HISTORY_STORE, LATEST_STORE);
    return builder.build();
  }

  /**
   * Values in the stores: single-object encoded, whatever the topic's wire format. Only the table
   * writes them, so a value it cannot read is a broken store; a schema change that old stores
   * cannot be read with needs new store names (-v2).
   */
  private static Serde<EmbeddingRecord> storedEmbeddings() {
    RecordCodec<EmbeddingRecord> codec = RecordCodec.singleObject(EmbeddingRecord.class);
    return Serdes.serdeFrom((topic, e) -> e == null ? null : codec.encode(e), (topic, bytes) -> {
      try {
        return bytes == null ? null : codec.decode(bytes);
      } catch (UndecodableRecordException e) {
        throw new IllegalStateException("unreadable embedding in a table store: "
            + e.getMessage(), e);
      }
    });
  }
}
