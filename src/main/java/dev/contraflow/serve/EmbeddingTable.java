package dev.contraflow.serve;

import com.sun.net.httpserver.HttpServer;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.io.record.UndecodableRecordException;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.Stores;

/**
 * {@code contraflow serve}: the embeddings topic materialised as a table of the newest embedding
 * per (modelId, id), with its history, served over HTTP by {@link EmbeddingServer}.
 *
 * <p>Three seams, as in Kafka Streams' WordCountDemo: {@link #streamsConfig}, the pure
 * {@link #buildTopology}, and the lifecycle ({@link #start}, {@link #run}, {@link #close}).
 *
 * <pre>
 * embeddings ──► decode ──► LatestByModelVersion ──┬──► history store (versioned: GET, ?asOf=)
 *  (bytes)         └─ undecodable: counted, logged ├──► latest store (mixVersions scans, size)
 *                                                  ├──► by-version store (one version's scans)
 *                                                  └──► version counts (rows, refresh rows)
 * checkpoints ──► CheckpointFollower ──► VersionCatalog (COMPLETE / PUBLISHED / REJECTED)
 * </pre>
 *
 * <p>The default search answers from the newest complete version of a model: the job said
 * COMPLETE with N embeddings, and the table holds them all ({@link VersionCatalog}).
 *
 * <p>At-least-once is enough: applying a record twice leaves the same table (the newest version
 * wins, an equal one replaces itself), so exactly-once's transactions would buy nothing here. The
 * consumer reads committed records only, so embeddings of the job's aborted transactions never
 * enter the table.
 */
public final class EmbeddingTable implements AutoCloseable {

  /** Every version of every key within the history retention. Names carry a version (STYLE 12). */
  public static final String HISTORY_STORE = "embeddings-history-v1";
  /** The newest version of every key, scannable one model at a time. */
  public static final String LATEST_STORE = "embeddings-latest-v1";
  /** Every kept version of every key: (modelId, version, id), one version scannable at a time. */
  public static final String VERSIONS_STORE = "embeddings-by-version-v1";
  /** Rows and refresh rows of each (modelId, version) in the by-version store. */
  public static final String VERSION_COUNTS_STORE = "version-counts-v1";

  private static final Duration TOPIC_CHECK_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaStreams streams;
  private final EmbeddingServer server;
  private final VectorIndexes indexes;
  private final CheckpointFollower checkpoints;
  private final String address;
  private final String scheme;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean failed;
  private boolean closed;

  private EmbeddingTable(KafkaStreams streams, EmbeddingServer server, VectorIndexes indexes,
      CheckpointFollower checkpoints, String address, String scheme) {
    this.streams = streams;
    this.server = server;
    this.indexes = indexes;
    this.checkpoints = checkpoints;
    this.address = address;
    this.scheme = scheme;
  }

  /** Kafka Streams settings: application id, brokers, state dir, and this instance's address. */
  public static Properties streamsConfig(ServeConfig config, int httpPort) {
    Properties p = new Properties();
    p.putAll(config.clientProperties());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
    p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.advertisedHost() + ":" + httpPort);
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
    // A new application id reads the whole topic: the table is everything ever embedded.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    return p;
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
    return buildTopology(embeddingsTopic, codec, historyRetention, counters, VectorIndexes.off(),
        new VersionCatalog(ServeConfig.DEFAULT_KEEP_VERSIONS));
  }

  /**
   * As above, handing every stored row to {@code indexes} as well, and keeping the versions
   * {@code catalog} keeps.
   */
  static Topology buildTopology(String embeddingsTopic, RecordCodec<EmbeddingRecord> codec,
      Duration historyRetention, TableCounters counters, VectorIndexes indexes,
      VersionCatalog catalog) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(Stores.versionedKeyValueStoreBuilder(
        Stores.persistentVersionedKeyValueStore(HISTORY_STORE, historyRetention),
        EmbeddingKey.serde(), storedEmbeddings()));
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(LATEST_STORE), EmbeddingKey.serde(), storedEmbeddings()));
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(VERSIONS_STORE), VersionRowKey.serde(),
        storedEmbeddings()));
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(VERSION_COUNTS_STORE), VersionRowKey.serde(),
        VersionCount.serde()));
    builder.stream(embeddingsTopic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
            .withName("embeddings"))
        .process(() -> new LatestByModelVersion(codec, historyRetention, counters, indexes,
                catalog), Named.as("latest-by-model-version"), HISTORY_STORE, LATEST_STORE,
            VERSIONS_STORE, VERSION_COUNTS_STORE);
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

  /**
   * Binds the HTTP port, then starts Kafka Streams with that port as its application.server, and
   * returns at once: {@code GET /health} answers 200 once the table serves.
   *
   * @param progress one line per state change, and the ready line
   */
  public static EmbeddingTable start(ServeConfig config, Consumer<String> progress)
      throws IOException {
    requireTopic(config);
    Files.createDirectories(config.stateDir());
    HttpServer http = EmbeddingServer.bind(config.http(), config.port());
    int port = http.getAddress().getPort();
    String address = config.advertisedHost() + ":" + port;
    TableCounters counters = new TableCounters();
    VectorIndexes indexes = new VectorIndexes(config.index());
    VersionCatalog catalog =
        new VersionCatalog(config.keepVersions(), config.checkpointsTopic() != null);
    KafkaStreams streams;
    try {
      streams = new KafkaStreams(buildTopology(config.topic(), config.codec(),
          config.historyRetention(), counters, indexes, catalog), streamsConfig(config, port));
    } catch (RuntimeException e) {
      http.stop(0);
      indexes.close();
      throw e;
    }
    InteractiveQueries queries =
        new InteractiveQueries(streams, config.topic(), new HostInfo(config.advertisedHost(), port));
    EmbeddingServer server;
    try {
      server = EmbeddingServer.start(http, config.http(), queries.table(indexes, catalog),
          queries, counters);
    } catch (IOException | RuntimeException e) {
      http.stop(0);
      streams.close();
      indexes.close();
      throw e;
    }
    CheckpointFollower checkpoints = config.checkpointsTopic() == null ? null
        : new CheckpointFollower(config.bootstrapServers(), config.clientProperties(),
            config.checkpointsTopic(), config.checkpointCodec(), catalog).start();
    EmbeddingTable table = new EmbeddingTable(streams, server, indexes, checkpoints, address,
        config.http().scheme());
    streams.setStateListener((now, before) -> table.onStateChange(now, queries, progress));
    streams.setUncaughtExceptionHandler(e -> {
      progress.accept("stopping: " + e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    progress.accept("reading " + config.topic() + " from " + config.bootstrapServers()
        + " as " + config.applicationId() + ", stores in " + config.stateDir()
        + ", " + config.http().scheme().toUpperCase() + " on " + config.http().bindAddress()
        + ":" + port + (config.http().tokenRequired() ? ", token required" : ", no token")
        + (config.checkpointsTopic() == null ? ", no checkpoints topic (the default search "
            + "answers from the newest version seen)" : ", versions complete per "
            + config.checkpointsTopic() + " (keeping " + config.keepVersions()
            + " complete version(s) before the current one)"));
    streams.start();
    return table;
  }

  /**
   * Fails fast, in one line, where Kafka Streams would log stack traces: brokers that do not
   * answer, or a topic that does not exist (yet).
   */
  private static void requireTopic(ServeConfig config) {
    Properties p = new Properties();
    p.putAll(config.clientProperties());
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      admin.describeTopics(List.of(config.topic())).allTopicNames()
          .get(TOPIC_CHECK_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause() instanceof UnknownTopicOrPartitionException
          ? "topic " + config.topic() + " does not exist at " + config.bootstrapServers()
              + ": give the job's embeddings topic (--topic), or start the job first"
          : "cannot describe topic " + config.topic() + ": " + e.getCause().getMessage(), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer from the brokers at "
          + config.bootstrapServers() + " within " + TOPIC_CHECK_TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while looking up " + config.topic(), e);
    }
  }

  private void onStateChange(KafkaStreams.State now, Instances queries,
      Consumer<String> progress) {
    if (now == KafkaStreams.State.REBALANCING) {
      // partitions may move in or out: an index would miss the ones that arrive
      indexes.clear();
    }
    if (now == KafkaStreams.State.RUNNING) {
      progress.accept("ready: " + scheme + "://" + address + " serves partitions "
          + queries.localPartitions());
    } else {
      progress.accept(now.name().toLowerCase());
    }
    if (now == KafkaStreams.State.ERROR) {
      failed = true;
    }
    if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
      stopped.countDown();
    }
  }

  /**
   * Serves until the process is stopped (Ctrl-C, SIGTERM) or Kafka Streams fails.
   *
   * @return the exit code: 0 when stopped, 1 when Kafka Streams failed
   */
  public static int run(ServeConfig config, Consumer<String> progress)
      throws IOException, InterruptedException {
    try (EmbeddingTable table = start(config, progress)) {
      Runtime.getRuntime().addShutdownHook(new Thread(table::close, "contraflow-serve-stop"));
      table.stopped.await();
      return table.failed ? 1 : 0;
    }
  }

  /** host:port other instances and clients reach this one by. */
  public String address() {
    return address;
  }

  /** The HTTP port actually bound (the one asked for, or a free one for port 0). */
  public int port() {
    return server.port();
  }

  /**
   * Stops answering HTTP while keeping the partitions: what an instance that hangs or is cut off
   * looks like to the others until Kafka Streams notices. For tests of partial answers.
   */
  void closeHttp() {
    server.close();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.close();
    streams.close(Duration.ofSeconds(30));
    indexes.close();
    if (checkpoints != null) {
      try {
        checkpoints.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    stopped.countDown();
  }
}
