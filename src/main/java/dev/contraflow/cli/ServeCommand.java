package dev.contraflow.cli;

import dev.contraflow.serve.EmbeddingTable;
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
        + "/models/{modelId}/embeddings/{id}[?asOf=epochMillis], POST /models/{modelId}/search, "
        + "GET /health, /metrics, /instances.",
        "Instances with the same --application-id share the topic's partitions; each answers "
            + "for its own and names the owner of the others' keys. Search covers this "
            + "instance's partitions only."})
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

  @Override
  public Integer call() throws Exception {
    // RocksDB unpacks its native library into java.io.tmpdir, which must exist.
    Path tmp = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    ServeConfig config = new ServeConfig(bootstrap, topic, port, advertisedHost,
        stateDir == null ? tmp.resolve("contraflow-serve") : stateDir, applicationId, history,
        schemaRegistry, kafkaProperties);
    PrintWriter err = spec.commandLine().getErr();
    return EmbeddingTable.run(config, line -> err.println("contraflow serve: " + line));
  }
}
