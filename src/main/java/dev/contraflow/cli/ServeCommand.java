package dev.contraflow.cli;

import dev.contraflow.serve.EmbeddingTable;
import dev.contraflow.serve.HttpOptions;
import dev.contraflow.serve.IndexOptions;
import dev.contraflow.serve.JdkServerLimits;
import dev.contraflow.serve.ServeConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The embedding table: the embeddings topic in Kafka Streams state stores, over HTTP. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Materialises the embeddings topic into a table of the newest embedding per "
        + "(model, id), with its history, and serves it over HTTP: GET "
        + "/models/{modelId}/embeddings/{id}[?asOf=epochMillis], GET /models/{modelId}, "
        + "POST /models/{modelId}/search, GET /health, /metrics, /instances.",
        "The default search answers from a model's newest complete version: the job's "
            + "checkpoints topic said COMPLETE with N embeddings and all N are here (a new "
            + "version replaces the previous one whole, never half-filled); before one exists, "
            + "from the newest version seen. \"version\" and \"mixVersions\" ask otherwise.",
        "Instances with the same --application-id share the topic's partitions; each answers "
            + "lookups for its own and names the owner of the others' keys. A search covers "
            + "every instance's partitions (fan-out) and says when one did not answer.",
        "Listens on 127.0.0.1 unless --bind says otherwise; --auth-token-file and "
            + "--tls-keystore lock it down."})
final class ServeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--bootstrap", required = true,
      description = "Kafka brokers, host:port[,host:port...].")
  String bootstrap;

  @Option(names = "--topic", defaultValue = "contraflow.embeddings",
      description = "The job's embeddings topic (default ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--port", defaultValue = "8080",
      description = "HTTP port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--advertised-host", defaultValue = "localhost",
      description = "The host name other instances and clients reach this one by "
          + "(default ${DEFAULT-VALUE}: set it when instances run on several machines).")
  String advertisedHost;

  @Option(names = "--state-dir",
      description = "Where the RocksDB stores live (default: contraflow-serve under "
          + "java.io.tmpdir); one per instance on a machine. Lost stores are rebuilt from "
          + "their changelog topics.")
  Path stateDir;

  @Option(names = "--application-id", defaultValue = ServeConfig.DEFAULT_APPLICATION_ID,
      description = "Kafka Streams application id: instances with the same id share the "
          + "partitions (default ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(names = "--history", defaultValue = "P7D",
      description = "How far back ?asOf= lookups reach, ISO-8601 (default ${DEFAULT-VALUE}).")
  Duration history;

  @Option(names = "--schema-registry",
      description = "Confluent Schema Registry URL, when the job writes that wire format "
          + "(records.wireFormat=CONFLUENT); Avro single-object encoding otherwise.")
  String schemaRegistry;

  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
      description = "Passed to every Kafka client (security.protocol, sasl.*, ssl.* ...); "
          + "repeatable.")
  Map<String, String> kafkaProperties;

  @Option(names = "--standby-replicas", defaultValue = "0",
      description = "Warm copies of each partition's stores on other instances, which serve it "
          + "at once after losing its instance (default ${DEFAULT-VALUE}: a moved partition is "
          + "restored from its changelog first).")
  int standbyReplicas;

  @Option(names = "--bind", defaultValue = HttpOptions.LOOPBACK,
      description = "The interface to listen on (default ${DEFAULT-VALUE}: this machine only; "
          + "0.0.0.0 for every interface, with --auth-token-file and TLS).")
  String bind;

  @Option(names = "--workers", defaultValue = "" + HttpOptions.DEFAULT_WORKERS,
      description = "Threads answering lookups and searches (default ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--queue", defaultValue = "" + HttpOptions.DEFAULT_QUEUE,
      description = "Requests that may wait for a worker; more get 503 (default "
          + "${DEFAULT-VALUE}).")
  int queue;

  @Option(names = "--request-timeout", defaultValue = "PT30S",
      description = "A request not answered within this is answered 503; also the longest a "
          + "client may take to send a request, ISO-8601 (default ${DEFAULT-VALUE}).")
  Duration requestTimeout;

  @Option(names = "--connections", defaultValue = "" + HttpOptions.DEFAULT_CONNECTIONS,
      description = "Threads reading requests and writing answers: the most clients served at "
          + "once (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--auth-token-file", paramLabel = "FILE",
      description = "Require \"Authorization: Bearer <token>\" on every request but /health; "
          + "the token is the file's first line (at least 16 characters).")
  Path authTokenFile;

  @Option(names = "--auth-token-env", paramLabel = "VAR",
      description = "As --auth-token-file, the token taken from this environment variable "
          + "(a secret a container platform injects; never on the command line).")
  String authTokenEnv;

  @Option(names = "--tls-keystore", paramLabel = "FILE",
      description = "Serve HTTPS with the key and certificate of this PKCS#12 keystore.")
  Path tlsKeystore;

  @Option(names = "--tls-password-file", paramLabel = "FILE",
      description = "The file holding the --tls-keystore password.")
  Path tlsPasswordFile;

  @Option(names = "--index-threshold", defaultValue = "" + IndexOptions.DEFAULT_THRESHOLD,
      description = "Search a model version by an approximate HNSW index once this instance holds "
          + "at least this many of its vectors; exactly below it, and whenever a search asks "
          + "\"exact\": true (default ${DEFAULT-VALUE}; 0: always exact).")
  int indexThreshold;

  @Option(names = "--index-max-vectors", defaultValue = "" + IndexOptions.DEFAULT_MAX_VECTORS,
      description = "The most vectors all indexes of this instance hold on the heap together "
          + "(about 4 x dim + 300 bytes each); a larger version is searched exactly (default "
          + "${DEFAULT-VALUE}).")
  long indexMaxVectors;

  @Option(names = "--index-candidates", defaultValue = "" + IndexOptions.DEFAULT_CANDIDATES,
      description = "Candidates an index search keeps (HNSW's efSearch): more is slower and "
          + "finds more of the exact top k (default ${DEFAULT-VALUE}).")
  int indexCandidates;

  @Option(names = "--checkpoints-topic", defaultValue = "contraflow.checkpoints",
      description = "The job's checkpoints topic, read (read_committed) to learn which model "
          + "versions are complete (default ${DEFAULT-VALUE}; \"\": none, the default search "
          + "answers from the newest version seen).")
  String checkpointsTopic;

  @Option(names = "--keep-versions", defaultValue = "" + ServeConfig.DEFAULT_KEEP_VERSIONS,
      description = "Complete versions of a model kept besides the current one, so that a "
          + "reader that chose the previous version just before a switch still finds it whole; "
          + "older ones, rejected ones and superseded micro-batch versions are evicted. Also "
          + "kept: a version being filled by a refresh, and the newest version seen (default "
          + "${DEFAULT-VALUE}).")
  int keepVersions;

  @Override
  public Integer call() throws Exception {
    // RocksDB unpacks its native library into java.io.tmpdir, which must exist.
    Path tmp = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    ServeConfig config = new ServeConfig(bootstrap, topic, port, advertisedHost,
        stateDir == null ? tmp.resolve("contraflow-serve") : stateDir, applicationId, history,
        schemaRegistry, kafkaProperties, standbyReplicas, new HttpOptions(bind, workers, queue, requestTimeout,
            connections, authTokenFile, authTokenEnv, tlsKeystore, tlsPasswordFile),
        new IndexOptions(indexThreshold, indexMaxVectors, IndexOptions.DEFAULT_M,
            IndexOptions.DEFAULT_BEAM_WIDTH, indexCandidates))
        .withCheckpoints(checkpointsTopic.isEmpty() ? null : checkpointsTopic, keepVersions);
    JdkServerLimits.apply(requestTimeout, connections);
    PrintWriter err = spec.commandLine().getErr();
    return EmbeddingTable.run(config, line -> err.println("contraflow serve: " + line));
  }
}
