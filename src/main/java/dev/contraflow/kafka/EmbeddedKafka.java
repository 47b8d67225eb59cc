package dev.contraflow.kafka;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft: broker and controller in one process) on loopback,
 * started inside this JVM from the Maven artifacts. It is what `contraflow demo` and the tests
 * talk to, with the same clients and protocol as any other Kafka.
 *
 * <p>Replication factors of the internal topics are 1 (consumer groups and transactions hang
 * otherwise on one node), and messages up to {@link #MAX_MESSAGE_BYTES} are accepted.
 *
 * <p>{@link #startSecured} adds two client listeners that need credentials, for tests of the
 * security settings every command passes through ({@code kafka.properties.*},
 * {@code --kafka-property}): SASL_PLAINTEXT with the PLAIN mechanism, and SSL (TLS) with a
 * keystore the caller made. PLAINTEXT stays open for the broker's own traffic.
 */
public final class EmbeddedKafka implements AutoCloseable {

  /**
   * The secured listeners' credentials.
   *
   * @param users SASL/PLAIN user names and their passwords
   * @param keystore the SSL listener's PKCS#12 key and certificate (for 127.0.0.1)
   * @param keystorePassword the password of the keystore and of its key
   */
  public record Security(Map<String, String> users, Path keystore, String keystorePassword) {

    public Security {
      users = Map.copyOf(users);
      if (users.isEmpty() || keystore == null || keystorePassword == null) {
        throw new IllegalArgumentException("a secured broker needs at least one SASL user, a "
            + "keystore and its password");
      }
    }
  }

  /** The client listeners: {@link #bootstrapServers(Listener)} gives each one's address. */
  public enum Listener {
    PLAINTEXT, SASL_PLAINTEXT, SSL
  }

  /** Largest record the broker takes: an image record of a few MiB still fits. */
  public static final int MAX_MESSAGE_BYTES = 8 << 20;

  private static final int NODE_ID = 1;

  private final Path dataDir;
  private final KafkaRaftServer server;
  private final Map<Listener, String> addresses;

  private EmbeddedKafka(Path dataDir, KafkaRaftServer server, Map<Listener, String> addresses) {
    this.dataDir = dataDir;
    this.server = server;
    this.addresses = addresses;
  }

  /** Formats a fresh log directory under {@code parent} and starts the broker (5-8 s). */
  public static EmbeddedKafka start(Path parent) throws IOException {
    return start(parent, null);
  }

  /** As {@link #start}, with the SASL_PLAINTEXT and SSL listeners of {@code security} as well. */
  public static EmbeddedKafka startSecured(Path parent, Security security) throws IOException {
    return start(parent, security);
  }

  private static EmbeddedKafka start(Path parent, Security security) throws IOException {
    Files.createDirectories(parent);
    Path dir = Files.createTempDirectory(parent, "kafka-");
    Map<Listener, String> addresses = new EnumMap<>(Listener.class);
    for (Listener l : security == null ? List.of(Listener.PLAINTEXT)
        : List.of(Listener.values())) {
      addresses.put(l, "127.0.0.1:" + freePort());
    }
    int controllerPort = freePort();
    String logDir = dir.resolve("logs").toString();

    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    StringBuilder listeners = new StringBuilder();
    StringBuilder protocols = new StringBuilder("CONTROLLER:PLAINTEXT");
    addresses.forEach((l, address) -> {
      listeners.append(l).append("://").append(address).append(',');
      protocols.append(',').append(l).append(':').append(l);
    });
    p.put("listeners", listeners + "CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", listeners.substring(0, listeners.length() - 1));
    p.put("listener.security.protocol.map", protocols.toString());
    if (security != null) {
      p.putAll(secured(security));
    }
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir);
    p.put("num.partitions", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("message.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
    p.put("replica.fetch.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
    p.put("auto.create.topics.enable", "false");
    p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
    KafkaConfig config = KafkaConfig.fromProps(p, false);

    format(config, logDir);
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    return new EmbeddedKafka(dir, server, addresses);
  }

  /** The broker settings of the SASL_PLAINTEXT (PLAIN) and SSL listeners. */
  private static Map<String, String> secured(Security security) {
    StringBuilder jaas = new StringBuilder(
        "org.apache.kafka.common.security.plain.PlainLoginModule required");
    security.users().forEach((user, password) -> jaas.append(" user_").append(user)
        .append("=\"").append(password).append('"'));
    return Map.of(
        "sasl.enabled.mechanisms", "PLAIN",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.append(';').toString(),
        "listener.name.ssl.ssl.keystore.location", security.keystore().toString(),
        "listener.name.ssl.ssl.keystore.type", "PKCS12",
        "listener.name.ssl.ssl.keystore.password", security.keystorePassword(),
        "listener.name.ssl.ssl.key.password", security.keystorePassword(),
        "listener.name.ssl.ssl.client.auth", "none");
  }

  private static void format(KafkaConfig config, String logDir) throws IOException {
    try (PrintStream quiet = new PrintStream(PrintStream.nullOutputStream())) {
      new Formatter()
          .setPrintStream(quiet)
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .addDirectory(logDir)
          .setMetadataLogDirectory(logDir)
          .setReleaseVersion(MetadataVersion.latestProduction())
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setControllerListenerName("CONTROLLER")
          .run();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("could not format the embedded broker's log directory " + logDir, e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** host:port for {@code bootstrap.servers}: the PLAINTEXT listener. */
  public String bootstrapServers() {
    return bootstrapServers(Listener.PLAINTEXT);
  }

  /** host:port of one listener; only {@link #startSecured} opens the secured ones. */
  public String bootstrapServers(Listener listener) {
    String address = addresses.get(listener);
    if (address == null) {
      throw new IllegalStateException("this broker has no " + listener + " listener: start it "
          + "with startSecured");
    }
    return address;
  }

  /** Creates the topics (those that exist are left alone), single-replica, with big messages. */
  public void createTopics(Collection<String> topics, int partitions) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrapServers()))) {
      List<NewTopic> wanted = topics.stream()
          .map(t -> new NewTopic(t, partitions, (short) 1)
              .configs(Map.of("max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES))))
          .toList();
      for (var f : admin.createTopics(wanted).values().values()) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("could not create topics " + topics, e.getCause());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
    deleteRecursively(dataDir);
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
