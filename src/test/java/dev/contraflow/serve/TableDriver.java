package dev.contraflow.serve;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.CheckpointStatus;
import dev.contraflow.avro.EmbeddingKind;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.Modality;
import dev.contraflow.io.record.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.VersionedKeyValueStore;

/**
 * The table's topology on a TopologyTestDriver (no broker): pipe embeddings in with the timestamp
 * the job would have stamped, read the real stores back.
 */
final class TableDriver implements AutoCloseable {

  static final String TOPIC = "contraflow.embeddings";
  static final Duration HISTORY = Duration.ofHours(1);

  private static final RecordCodec<EmbeddingRecord> CODEC =
      RecordCodec.singleObject(EmbeddingRecord.class);

  final TableCounters counters = new TableCounters();
  /** The versions' statuses, as the checkpoints topic would give them: apply records to it. */
  final VersionCatalog catalog = new VersionCatalog(ServeConfig.DEFAULT_KEEP_VERSIONS);
  private final TopologyTestDriver driver;
  private final TestInputTopic<byte[], byte[]> input;
  private final VectorIndexes indexes;

  TableDriver(Path stateDir) {
    this(stateDir, VectorIndexes.off());
  }

  /** With approximate indexes fed by the table's processor. */
  TableDriver(Path stateDir, VectorIndexes indexes) {
    this.indexes = indexes;
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "table-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(
        EmbeddingTable.buildTopology(TOPIC, CODEC, HISTORY, counters, indexes, catalog), p);
    input = driver.createInputTopic(TOPIC, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** An embedding of {@code id} by {@code modelId} at {@code version}, as the job writes one. */
  static EmbeddingRecord embedding(String modelId, String id, long version, float... vector) {
    List<Float> v = new ArrayList<>();
    for (float x : vector) {
      v.add(x);
    }
    return EmbeddingRecord.newBuilder()
        .setId(id)
        .setModality(Modality.IMAGE)
        .setModelId(modelId)
        .setModelVersion(version)
        .setDim(vector.length)
        .setNormalized(false)
        .setVector(v)
        .setSourceTopic("contraflow.images")
        .setSourcePartition(0)
        .setSourceOffset(version)
        .setEventTime(Instant.ofEpochMilli(0))
        .setEmittedAt(Instant.ofEpochMilli(0))
        .build();
  }

  /** A refresh embedding: {@code id} re-embedded by the published checkpoint {@code version}. */
  static EmbeddingRecord refresh(String modelId, String id, long version, float... vector) {
    EmbeddingRecord e = embedding(modelId, id, version, vector);
    e.setKind(EmbeddingKind.REFRESH);
    return e;
  }

  /** A record of the checkpoints topic: {@code status} of {@code version}, as the job writes it. */
  static CheckpointRecord checkpoint(String modelId, long version, CheckpointStatus status,
      Long embeddings, String reason) {
    return CheckpointRecord.newBuilder()
        .setModelId(modelId)
        .setModelVersion(version)
        .setUri("file:///models/" + modelId + "-" + version)
        .setSha256("sha-" + version)
        .setSizeBytes(1)
        .setMethod("MOCO")
        .setConfig("{}")
        .setCreatedAt(Instant.ofEpochMilli(version))
        .setStatus(status)
        .setEmbeddings(embeddings)
        .setReason(reason)
        .build();
  }

  /** Keyed by id and stamped with the time it was emitted, as the job's sink does. */
  void pipe(EmbeddingRecord e, long timestampMs) {
    input.pipeInput(e.getId().getBytes(StandardCharsets.UTF_8), CODEC.encode(e), timestampMs);
  }

  /** Lets wall-clock time pass, so that the table's eviction runs. */
  void advanceWallClock(Duration by) {
    driver.advanceWallClockTime(by);
  }

  void pipeBytes(byte[] value, long timestampMs) {
    input.pipeInput(null, value, timestampMs);
  }

  VersionedKeyValueStore<EmbeddingKey, EmbeddingRecord> history() {
    return driver.getVersionedKeyValueStore(EmbeddingTable.HISTORY_STORE);
  }

  /** The stores as the HTTP layer reads them. */
  LocalTable table() {
    VersionedKeyValueStore<EmbeddingKey, EmbeddingRecord> history = history();
    return new LocalTable(
        (key, asOf) -> asOf == null ? history.get(key) : history.get(key, asOf.toEpochMilli()),
        () -> driver.getKeyValueStore(EmbeddingTable.LATEST_STORE),
        () -> driver.getKeyValueStore(EmbeddingTable.VERSIONS_STORE),
        () -> driver.getKeyValueStore(EmbeddingTable.VERSION_COUNTS_STORE), indexes, catalog);
  }

  /**
   * A table whose lookups are {@code history}'s and whose scanned stores all fail with {@code
   * failure}: for tests of lookups and of failing stores, without a topology.
   */
  static LocalTable lookups(LocalTable.HistoryLookup history,
      Supplier<RuntimeException> failure) {
    return new LocalTable(history, () -> {
      throw failure.get();
    }, () -> {
      throw failure.get();
    }, () -> {
      throw failure.get();
    }, VectorIndexes.off(), new VersionCatalog(ServeConfig.DEFAULT_KEEP_VERSIONS));
  }

  @Override
  public void close() {
    indexes.close();
    driver.close();
  }
}
