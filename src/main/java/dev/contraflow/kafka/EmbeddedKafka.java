package dev.contraflow.kafka;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.security.scram.ScramLoginModule;
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
 * <p>{@link #startSecured} adds three client listeners that need credentials, for tests of the
 * security settings every command passes through ({@code kafka.properties.*},
 * {@code --kafka-property}): SASL_PLAINTEXT with the PLAIN mechanism, SSL (TLS) with a keystore
 * the caller made, and SASL_SSL with SCRAM-SHA-512 over that same TLS (the production setup).
 * The SCRAM credentials live in the cluster metadata, so they are written through the Admin API
 * once the broker runs. PLAINTEXT stays open for the broker's own traffic.
 */
public final class EmbeddedKafka implements AutoCloseable {

  /**
   * The secured listeners' credentials.
   *
   * @param users SASL user names and their passwords, for PLAIN and SCRAM-SHA-512 alike
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
    PLAINTEXT, SASL_PLAINTEXT, SSL, SASL_SSL
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

  /**
   * As {@link #start}, with the SASL_PLAINTEXT, SSL and SASL_SSL listeners of {@code security} as
   * well; returns once a SCRAM-SHA-512 login of every user succeeds over SASL_SSL.
   */
  public static EmbeddedKafka startSecured(Path parent, Security security) throws IOException {
    EmbeddedKafka kafka = start(parent, security);
    try {
      kafka.addScramUsers(security);
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    return kafka;
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
    Map<String, String> settings = new HashMap<>(Map.of(
        "sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512",
        "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.append(';').toString(),
        "listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-512",
        // SCRAM checks passwords against the credentials in the metadata: no users in the JAAS
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
        ScramLoginModule.class.getName() + " required;"));
    for (String listener : List.of("ssl", "sasl_ssl")) {
      String prefix = "listener.name." + listener + ".ssl.";
      settings.putAll(Map.of(
          prefix + "keystore.location", security.keystore().toString(),
          prefix + "keystore.type", "PKCS12",
          prefix + "keystore.password", security.keystorePassword(),
          prefix + "key.password", security.keystorePassword(),
          prefix + "client.auth", "none"));
    }
    return settings;
  }

  /** The keystore's (first) certificate in PEM: what a client trusts to reach the broker. */
  private static String certificatePem(Security security) {
    try (var in = Files.newInputStream(security.keystore())) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, security.keystorePassword().toCharArray());
      byte[] der = store.getCertificate(store.aliases().nextElement()).getEncoded();
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(der)
          + "\n-----END CERTIFICATE-----\n";
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("could not read the certificate of keystore "
          + security.keystore(), e);
    }
  }

  /** The client settings of a SCRAM-SHA-512 login over SASL_SSL (the TLS trust is the caller's). */
  public static Map<String, String> scramClient(String user, String password) {
    return Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
        "sasl.jaas.config", ScramLoginModule.class.getName() + " required username=\""
            + user + "\" password=\"" + password + "\";");
  }

  /**
   * Writes each user's SCRAM-SHA-512 credential (the Admin API equivalent of
   * {@code kafka-storage format --add-scram}), then waits until a login over SASL_SSL succeeds:
   * the broker learns credentials from the metadata log a moment after the controller commits
   * them, and a client that tried earlier would fail authentication for good.
   */
  private void addScramUsers(Security security) {
    List<UserScramCredentialAlteration> upserts = security.users().entrySet().stream()
        .map(u -> (UserScramCredentialAlteration) new UserScramCredentialUpsertion(u.getKey(),
            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), u.getValue()))
        .toList();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrapServers()))) {
      admin.alterUserScramCredentials(upserts).all().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while adding SCRAM users", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("could not add the SCRAM users", e.getCause());
    }
    Map.Entry<String, String> user = security.users().entrySet().iterator().next();
    Map<String, Object> login = new HashMap<>(scramClient(user.getKey(),
        user.getValue()));
    login.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(Listener.SASL_SSL));
    login.put("ssl.truststore.type", "PEM");
    login.put("ssl.truststore.certificates", certificatePem(security));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Admin admin = Admin.create(login)) {
        admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the SCRAM users", e);
      } catch (ExecutionException | TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the broker never accepted the SCRAM login of user "
              + user.getKey() + " over SASL_SSL", e);
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the SCRAM users", ie);
        }
      }
    }
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
