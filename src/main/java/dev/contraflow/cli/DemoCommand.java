package dev.contraflow.cli;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.eval.KnnClassifier;
import dev.contraflow.eval.LabelledEmbeddings;
import dev.contraflow.io.Image;
import dev.contraflow.io.ImageDecoder;
import dev.contraflow.io.ImageRecords;
import dev.contraflow.io.ImageSource;
import dev.contraflow.io.RecordCodec;
import dev.contraflow.job.ContraflowJob;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.embedded.EmbeddedKafka;
import dev.contraflow.job.embedded.RecordProducer;
import dev.contraflow.job.embedded.TopicReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/**
 * The whole product on one machine: a real Kafka broker in this process, the streaming job on a
 * Flink MiniCluster, images streamed in, and a summary of what subscribers received.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Starts a Kafka broker (KRaft, loopback) and a Flink MiniCluster in this "
        + "process, streams images into Kafka, runs the learning job, and summarises what came "
        + "out: embeddings, dead letters, checkpoints, and kNN accuracy of the published "
        + "embeddings against raw pixels."})
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--images", defaultValue = "data/fashion-mnist",
      description = "IDX file, Fashion-MNIST folder or folder of PNG/JPEG (default ${DEFAULT-VALUE}).")
  Path images;

  @Option(names = "--limit", defaultValue = "10000",
      description = "Stream the first N images (default ${DEFAULT-VALUE}; 0 = all).")
  int limit;

  @Mixin JobConfigOptions job;

  @Spec CommandSpec spec;

  @Option(names = "--work-dir", defaultValue = "target/demo",
      description = "Broker logs, Flink checkpoints and model files (default ${DEFAULT-VALUE}).")
  Path workDir;

  @Option(names = "--timeout", defaultValue = "PT30M",
      description = "Give up if the outputs have not all arrived by then (default 30 min).")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    if (limit < 0) {
      throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
    }
    List<Image> data = ImageSource.load(images, limit, new ImageDecoder());
    if (data.isEmpty()) {
      throw new IllegalArgumentException("no images found in " + images);
    }
    Optional<int[]> labels = ImageSource.labelsFor(images);
    Image first = data.get(0);
    Files.createDirectories(workDir);
    Path work = workDir.toAbsolutePath();
    System.err.printf("demo: %d images from %s; starting Kafka and Flink in this process%n",
        data.size(), images);

    try (EmbeddedKafka kafka = EmbeddedKafka.start(work)) {
      JobConfig job = demoConfig(kafka, work, first);
      kafka.createTopics(job.topics().all(), 1);
      try (TopicReader<EmbeddingRecord> embeddings = reader(kafka, job.topics().embeddings(),
              EmbeddingRecord.class);
          TopicReader<DeadLetterRecord> deadLetters = reader(kafka, job.topics().deadLetters(),
              DeadLetterRecord.class);
          TopicReader<CheckpointRecord> checkpoints = reader(kafka, job.topics().checkpoints(),
              CheckpointRecord.class)) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
            ContraflowJob.flinkConfiguration(job));
        ContraflowJob.build(env, job);
        JobClient client = env.executeAsync(job.job().name());
        try {
          produce(kafka, job, data);
          awaitOutputs(data.size(), embeddings, deadLetters, checkpoints);
        } finally {
          client.cancel().get();
        }
        summarise(spec.commandLine().getOut(), data, labels, embeddings.records(),
            deadLetters.records(), checkpoints.records());
      }
    }
    return 0;
  }

  private JobConfig demoConfig(EmbeddedKafka kafka, Path work, Image first) {
    List<String> all = new ArrayList<>(List.of(
        "kafka.bootstrapServers=" + kafka.bootstrapServers(),
        "model.defaultId=demo",
        "model.channels=" + first.channels(),
        "model.height=" + first.height(),
        "model.width=" + first.width(),
        "job.name=contraflow-demo",
        "job.checkpointInterval=2s",
        "publish.everySteps=10",
        "job.checkpointDir=" + work.resolve("checkpoints").toUri(),
        "publish.modelStore=" + work.resolve("models").toUri()));
    return job.load(all);
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> TopicReader<T> reader(
      EmbeddedKafka kafka, String topic, Class<T> type) {
    return new TopicReader<>(kafka.bootstrapServers(), topic, RecordCodec.singleObject(type),
        Map.of());
  }

  private static void produce(EmbeddedKafka kafka, JobConfig job, List<Image> data) {
    RecordCodec<ImageRecord> codec = RecordCodec.singleObject(ImageRecord.class);
    Thread t = new Thread(() -> {
      try (RecordProducer p = new RecordProducer(kafka.bootstrapServers(), Map.of())) {
        for (Image image : data) {
          p.send(job.topics().images(), image.id().getBytes(StandardCharsets.UTF_8),
              codec.encode(ImageRecords.raw(image, null, "demo", Instant.now())));
        }
        p.flush();
      }
    }, "demo-producer");
    t.setDaemon(true);
    t.start();
  }

  private void awaitOutputs(int in, TopicReader<EmbeddingRecord> embeddings,
      TopicReader<DeadLetterRecord> deadLetters, TopicReader<CheckpointRecord> checkpoints)
      throws InterruptedException {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    long lastPrint = 0;
    while (embeddings.count() + deadLetters.count() < in) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + embeddings.count() + " embeddings and "
            + deadLetters.count() + " dead letters of " + in + " records after " + timeout);
      }
      if (System.nanoTime() - lastPrint > 5e9) {
        lastPrint = System.nanoTime();
        double secs = (lastPrint - started) / 1e9;
        System.err.printf("demo: %d/%d embeddings committed, %d dead letters, %d checkpoints | "
                + "%.0f records/s | elapsed %s%n", embeddings.count(), in, deadLetters.count(),
            checkpoints.count(), embeddings.count() / Math.max(secs, 1e-9),
            ProgressLine.format(Math.round(secs)));
      }
      Thread.sleep(100);
    }
  }

  private static void summarise(PrintWriter out, List<Image> data, Optional<int[]> labels,
      List<EmbeddingRecord> embeddings, List<DeadLetterRecord> deadLetters,
      List<CheckpointRecord> checkpoints) {
    long lastVersion = embeddings.stream().mapToLong(EmbeddingRecord::getModelVersion).max()
        .orElse(0);
    out.printf("records in         %d%n", data.size());
    out.printf("embeddings out     %d (model versions 1..%d)%n", embeddings.size(),
        lastVersion);
    out.printf("dead letters       %d%n", deadLetters.size());
    out.printf("checkpoints        %d%s%n", checkpoints.size(), checkpoints.isEmpty() ? ""
        : " (last: " + checkpoints.get(checkpoints.size() - 1).getUri() + ")");
    if (labels.isEmpty()) {
      out.println("kNN accuracy       n/a (no labels next to the images)");
      return;
    }
    knnSummary(out, data, labels.get(), embeddings);
  }

  /**
   * Weighted kNN (k = 200, T = 0.07) on the embeddings as subscribers received them (each from
   * the model version of its batch), the last 20% of ids queried against the first 80%, and the
   * same on raw pixels.
   */
  private static void knnSummary(PrintWriter out, List<Image> data, int[] labels,
      List<EmbeddingRecord> embeddings) {
    Map<String, float[]> byId = new HashMap<>();
    for (EmbeddingRecord e : embeddings) {
      float[] v = new float[e.getVector().size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = e.getVector().get(i);
      }
      byId.put(e.getId(), v);
    }
    // Only images that became embeddings (a dead letter has none) take part.
    List<float[]> learnedRows = new ArrayList<>();
    List<float[]> pixelRows = new ArrayList<>();
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      float[] v = byId.get(data.get(i).id());
      if (v != null) {
        learnedRows.add(v);
        pixelRows.add(data.get(i).pixels());
        kept.add(labels[i]);
      }
    }
    int n = kept.size();
    int bankSize = n * 4 / 5;
    if (bankSize < 10 || n - bankSize < 10) {
      out.println("kNN accuracy       n/a (too few images; use --limit 100 or more)");
      return;
    }
    float[][] learned = learnedRows.toArray(float[][]::new);
    float[][] pixels = pixelRows.toArray(float[][]::new);
    int[] keptLabels = kept.stream().mapToInt(Integer::intValue).toArray();
    KnnClassifier knn = KnnClassifier.weighted(Math.min(200, bankSize), 0.07);
    double fromEmbeddings = accuracy(knn, learned, keptLabels, bankSize);
    double fromPixels = accuracy(knn, pixels, keptLabels, bankSize);
    out.printf("kNN accuracy       %.4f published embeddings vs %.4f raw pixels "
            + "(weighted k=%d, T=0.07; %d queries against %d)%n", fromEmbeddings, fromPixels,
        Math.min(200, bankSize), n - bankSize, bankSize);
  }

  private static double accuracy(KnnClassifier knn, float[][] rows, int[] labels, int bankSize) {
    int n = rows.length;
    LabelledEmbeddings bank = LabelledEmbeddings.of(Arrays.copyOfRange(rows, 0,
        bankSize), Arrays.copyOfRange(labels, 0, bankSize)).l2Normalised();
    LabelledEmbeddings queries = LabelledEmbeddings.of(Arrays.copyOfRange(rows,
        bankSize, n), Arrays.copyOfRange(labels, bankSize, n)).l2Normalised();
    return knn.accuracy(bank, queries);
  }
}
