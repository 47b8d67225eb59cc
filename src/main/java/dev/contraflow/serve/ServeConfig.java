package dev.contraflow.serve;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.record.HttpSchemaRegistry;
import dev.contraflow.io.record.RecordCodec;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything `contraflow serve` needs, validated once: a mistake names the option, the value and
 * the fix.
 *
 * @param bootstrapServers Kafka brokers, host:port[,host:port...]
 * @param topic the embeddings topic the job writes
 * @param port HTTP port; 0 picks a free one (the ready line says which)
 * @param advertisedHost the host name other instances and clients reach this one by; with the
 *     port it is Kafka Streams' {@code application.server}, which {@code GET /instances} and a
 *     lookup miss report
 * @param stateDir where Kafka Streams keeps its RocksDB stores (rebuilt from changelogs if lost)
 * @param applicationId Kafka Streams application id: instances with the same id share the
 *     topic's partitions; the consumer group and changelog topics are named after it
 * @param historyRetention how far back {@code ?asOf=} lookups reach
 * @param schemaRegistryUrl the Confluent Schema Registry when the job writes that wire format,
 *     or null for Avro single-object encoding (the job's default)
 * @param clientProperties passed to every Kafka client (security.protocol, sasl.*, ssl.* ...)
 * @param standbyReplicas warm copies of each partition's stores on other instances (Kafka
 *     Streams' num.standby.replicas): when an instance is lost, one holding a copy serves its
 *     partition after the rebalance without replaying the changelog first
 * @param http where and how the HTTP side listens: bind address, limits, token, TLS
 * @param index when searches use an approximate HNSW index instead of an exact scan
 * @param checkpointsTopic the job's checkpoints topic, whose COMPLETE records make a model version
 *     the default search's once all its embeddings are here (issue 13); null: none, the default
 *     search answers from the newest version seen
 * @param keepVersions complete versions of a model kept besides the current one (older ones are
 *     evicted); see {@link VersionCatalog}
 */
public record ServeConfig(String bootstrapServers, String topic, int port, String advertisedHost,
    Path stateDir, String applicationId, Duration historyRetention, String schemaRegistryUrl,
    Map<String, String> clientProperties, int standbyReplicas, HttpOptions http,
    IndexOptions index, String checkpointsTopic, int keepVersions) {

  public static final String DEFAULT_APPLICATION_ID = "contraflow-serve";
  public static final Duration DEFAULT_HISTORY_RETENTION = Duration.ofDays(7);
  /** Complete versions kept besides the current one: the previous, for readers mid-switch. */
  public static final int DEFAULT_KEEP_VERSIONS = 1;

  public ServeConfig {
    require(bootstrapServers != null && !bootstrapServers.isBlank(), "--bootstrap",
        bootstrapServers, "give host:port of at least one broker, e.g. localhost:9092");
    require(topic != null && topic.matches("[a-zA-Z0-9._-]{1,249}"), "--topic", topic,
        "Kafka topic names are 1-249 of [a-zA-Z0-9._-]");
    require(port >= 0 && port <= 65535, "--port", port, "use 1..65535, or 0 for a free port");
    require(advertisedHost != null && !advertisedHost.isBlank() && !advertisedHost.contains(":"),
        "--advertised-host", advertisedHost, "give a host name or IPv4 address without a port");
    require(stateDir != null, "--state-dir", null, "give a directory for the stores");
    require(applicationId != null && applicationId.matches("[a-zA-Z0-9._-]{1,200}"),
        "--application-id", applicationId, "use 1-200 of [a-zA-Z0-9._-]");
    require(historyRetention != null && historyRetention.toMillis() >= 1000, "--history",
        historyRetention, "use an ISO-8601 duration of at least PT1S, e.g. P7D");
    require(schemaRegistryUrl == null || schemaRegistryUrl.matches("https?://.+"),
        "--schema-registry", HttpSchemaRegistry.redacted(schemaRegistryUrl),
        "give the registry's URL, e.g. http://localhost:8081");
    clientProperties = clientProperties == null ? Map.of() : Map.copyOf(clientProperties);
    require(standbyReplicas >= 0 && standbyReplicas <= 10, "--standby-replicas",
        standbyReplicas, "use 0..10 (at most the number of instances - 1 ever gets used)");
    http = http == null ? HttpOptions.defaults() : http;
    index = index == null ? IndexOptions.defaults() : index;
    require(checkpointsTopic == null || checkpointsTopic.matches("[a-zA-Z0-9._-]{1,249}"),
        "--checkpoints-topic", checkpointsTopic, "Kafka topic names are 1-249 of [a-zA-Z0-9._-]");
    require(keepVersions >= 0, "--keep-versions", keepVersions,
        "use 0 or more: complete versions kept besides the current one (default "
            + ServeConfig.DEFAULT_KEEP_VERSIONS + ")");
    for (String key : clientProperties.keySet()) {
      require(!key.equals("bootstrap.servers") && !key.equals("application.id")
          && !key.equals("application.server") && !key.equals("state.dir")
          && !key.equals("num.standby.replicas"),
          "--kafka-property " + key, "(set)", "serve sets this itself; use its own option");
    }
  }

  /** Without a checkpoints topic: the default search answers from the newest version seen. */
  public ServeConfig(String bootstrapServers, String topic, int port, String advertisedHost,
      Path stateDir, String applicationId, Duration historyRetention, String schemaRegistryUrl,
      Map<String, String> clientProperties, int standbyReplicas, HttpOptions http,
      IndexOptions index) {
    this(bootstrapServers, topic, port, advertisedHost, stateDir, applicationId, historyRetention,
        schemaRegistryUrl, clientProperties, standbyReplicas, http, index, null,
        ServeConfig.DEFAULT_KEEP_VERSIONS);
  }

  /** With the default index settings, without a checkpoints topic. */
  public ServeConfig(String bootstrapServers, String topic, int port, String advertisedHost,
      Path stateDir, String applicationId, Duration historyRetention, String schemaRegistryUrl,
      Map<String, String> clientProperties, int standbyReplicas, HttpOptions http) {
    this(bootstrapServers, topic, port, advertisedHost, stateDir, applicationId, historyRetention,
        schemaRegistryUrl, clientProperties, standbyReplicas, http, IndexOptions.defaults());
  }

  /** The same, reading completeness from {@code checkpointsTopic} (null: none). */
  public ServeConfig withCheckpoints(String checkpointsTopic, int keepVersions) {
    return new ServeConfig(bootstrapServers, topic, port, advertisedHost, stateDir, applicationId,
        historyRetention, schemaRegistryUrl, clientProperties, standbyReplicas, http, index,
        checkpointsTopic, keepVersions);
  }

  /** How the topic's values are decoded: the wire format the job was configured with. */
  public RecordCodec<EmbeddingRecord> codec() {
    return schemaRegistryUrl == null
        ? RecordCodec.singleObject(EmbeddingRecord.class)
        : RecordCodec.confluent(EmbeddingRecord.class,
            new HttpSchemaRegistry(URI.create(schemaRegistryUrl)), topic + "-value");
  }

  /** How the checkpoints topic's values are decoded: the same wire format as the embeddings. */
  public RecordCodec<CheckpointRecord> checkpointCodec() {
    return schemaRegistryUrl == null
        ? RecordCodec.singleObject(CheckpointRecord.class)
        : RecordCodec.confluent(CheckpointRecord.class,
            new HttpSchemaRegistry(URI.create(schemaRegistryUrl)), checkpointsTopic + "-value");
  }

  private static void require(boolean ok, String option, Object value, String fix) {
    if (!ok) {
      throw new IllegalArgumentException(option + " = " + value + " is invalid: " + fix);
    }
  }
}
