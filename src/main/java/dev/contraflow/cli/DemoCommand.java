package dev.contraflow.cli;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.avro.Modality;
import dev.contraflow.avro.SentenceRecord;
import dev.contraflow.eval.KnnClassifier;
import dev.contraflow.eval.LabelledEmbeddings;
import dev.contraflow.io.Image;
import dev.contraflow.io.ImageDecoder;
import dev.contraflow.io.ImageRecords;
import dev.contraflow.io.ImageSource;
import dev.contraflow.io.RecordCodec;
import dev.contraflow.job.ContraflowJob;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigOptions;
import dev.contraflow.job.embedded.EmbeddedKafka;
import dev.contraflow.job.embedded.RecordProducer;
import dev.contraflow.job.embedded.TopicReader;
import dev.contraflow.job.learner.ModelStore;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The whole product on one machine: a real Kafka broker in this process, the streaming job on a
 * Flink MiniCluster, images (and optionally sentences) streamed in, and a summary of what
 * subscribers received.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Starts a Kafka broker (KRaft, loopback) and a Flink MiniCluster in this "
        + "process, streams images (and, with --sentences, the lines of a text file) into Kafka,"
        + " runs the learning job, and summarises what came out: embeddings, dead letters,"
        + " checkpoints, and kNN accuracy of the published image embeddings against raw pixels."})
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--images", defaultValue = "data/fashion-mnist",
      description = "IDX file, Fashion-MNIST folder or folder of PNG/JPEG (default ${DEFAULT-VALUE}).")
  Path images;

  @Option(names = "--limit", defaultValue = "10000",
      description = "Stream the first N images (default ${DEFAULT-VALUE}; 0 = all).")
  int limit;

  @Option(names = "--sentences",
      description = "Also stream this UTF-8 text file, one sentence a line, to the sentences "
          + "topic (ids line-<n>); every line is sent as it is, so blank or over-long lines "
          + "become dead letters.")
  Path sentences;

  @Mixin JobConfigOptions jobOptions;

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
    List<String> lines = sentences == null ? List.of() : readLines(sentences);
    Image first = data.get(0);
    Files.createDirectories(workDir);
    Path work = workDir.toAbsolutePath();
    System.err.printf("demo: %d images from %s%s; starting Kafka and Flink in this process%n",
        data.size(), images, sentences == null ? ""
            : ", " + lines.size() + " lines from " + sentences);

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
          produce(kafka, job, data, labels, lines);
          awaitOutputs(data.size() + lines.size(), embeddings, deadLetters, checkpoints);
        } finally {
          client.cancel().get();
        }
        summarise(spec.commandLine().getOut(), job, data, labels, lines.size(),
            embeddings.records(), deadLetters.records(), checkpoints.records());
      }
    }
    return 0;
  }

  private JobConfig demoConfig(EmbeddedKafka kafka, Path work, Image first) {
    List<String> all = new ArrayList<>(List.of(
        "kafka.bootstrapServers=" + kafka.bootstrapServers(),
        "model.defaultId=demo",
        "model.defaultSentenceId=demo-text",
        "topics.sentences=" + (sentences == null ? "" : "contraflow.sentences"),
        "topics.pairs=",
        "model.channels=" + first.channels(),
        "model.height=" + first.height(),
        "model.width=" + first.width(),
        "job.name=contraflow-demo",
        "job.checkpointInterval=2s",
        "publish.everySteps=10",
        "job.checkpointDir=" + work.resolve("checkpoints").toUri(),
        "publish.modelStore=" + work.resolve("models").toUri()));
    return jobOptions.load(all);
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> TopicReader<T> reader(
      EmbeddedKafka kafka, String topic, Class<T> type) {
    return new TopicReader<>(kafka.bootstrapServers(), topic, RecordCodec.singleObject(type),
        Map.of());
  }

  private static List<String> readLines(Path file) throws IOException {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new IOException("sentence file " + file + " is not UTF-8 text", e);
    }
  }

  /**
   * Images, then sentences. Labels ride along as an attribute (the learner never reads it; eval
   * --images-topic does).
   */
  private static void produce(EmbeddedKafka kafka, JobConfig job, List<Image> data,
      Optional<int[]> labels, List<String> lines) {
    RecordCodec<ImageRecord> codec = RecordCodec.singleObject(ImageRecord.class);
    RecordCodec<SentenceRecord> text = RecordCodec.singleObject(SentenceRecord.class);
    Thread t = new Thread(() -> {
      try (RecordProducer p = new RecordProducer(kafka.bootstrapServers(), Map.of())) {
        for (Image image : data) {
          p.send(job.topics().images(), image.id().getBytes(StandardCharsets.UTF_8),
              codec.encode(labelled(ImageRecords.raw(image, null, "demo", Instant.now()),
                  labels)));
        }
        for (int i = 0; i < lines.size(); i++) {
          String id = "line-" + i;
          p.send(job.topics().sentences(), id.getBytes(StandardCharsets.UTF_8),
              text.encode(SentenceRecord.newBuilder().setId(id).setText(lines.get(i))
                  .setSource("demo").setEventTime(Instant.now()).build()));
        }
        p.flush();
      }
    }, "demo-producer");
    t.setDaemon(true);
    t.start();
  }

  private static ImageRecord labelled(ImageRecord r, Optional<int[]> labels) {
    if (labels.isPresent()) {
      r.setAttributes(Map.of("label", Integer.toString(labels.get()[Integer.parseInt(r.getId())])));
    }
    return r;
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

  private void summarise(PrintWriter out, JobConfig job, List<Image> data,
      Optional<int[]> labels, int lines, List<EmbeddingRecord> allEmbeddings,
      List<DeadLetterRecord> deadLetters, List<CheckpointRecord> allCheckpoints)
      throws Exception {
    List<EmbeddingRecord> embeddings = allEmbeddings.stream()
        .filter(e -> e.getModality() == Modality.IMAGE).toList();
    List<CheckpointRecord> checkpoints = allCheckpoints.stream()
        .filter(c -> c.getModelId().equals(job.model().defaultId())).toList();
    out.printf("records in         %d%s%n", data.size() + lines, lines == 0 ? ""
        : " (" + data.size() + " images, " + lines + " sentences)");
    out.printf("embeddings out     %d (model versions 1..%d)%n", embeddings.size(),
        lastVersion(embeddings));
    if (lines > 0) {
      List<EmbeddingRecord> text = allEmbeddings.stream()
          .filter(e -> e.getModality() == Modality.TEXT).toList();
      out.printf("sentence embeddings %d (model %s, versions 1..%d)%n", text.size(),
          job.model().defaultSentenceId(), lastVersion(text));
    }
    out.printf("dead letters       %d%s%n", deadLetters.size(), deadLetters.isEmpty() ? ""
        : " (first: " + deadLetters.get(0).getSourceTopic() + " offset "
            + deadLetters.get(0).getOffset() + ": " + deadLetters.get(0).getReason() + ")");
    out.printf("checkpoints        %d%s%n", allCheckpoints.size(), allCheckpoints.isEmpty() ? ""
        : " (last: " + allCheckpoints.get(allCheckpoints.size() - 1).getUri() + ")");
    Map<String, float[]> published = new HashMap<>();
    for (EmbeddingRecord e : embeddings) {
      published.put(e.getId(), vector(e.getVector()));
    }
    // Only images that became embeddings (a dead letter has none) take part.
    List<Image> embedded = data.stream().filter(i -> published.containsKey(i.id())).toList();
    int bankSize = embedded.size() * 4 / 5;
    if (labels.isEmpty() || bankSize < 10 || embedded.size() - bankSize < 10) {
      out.println("kNN accuracy       n/a (" + (labels.isEmpty() ? "no labels next to the images"
          : "too few images; use --limit 100 or more") + ")");
      return;
    }
    int[] y = new int[embedded.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = labels.get()[Integer.parseInt(embedded.get(i).id())];
    }
    int k = Math.min(200, bankSize);
    Holdout holdout = new Holdout(KnnClassifier.weighted(k, 0.07), y, bankSize);
    out.printf("kNN accuracy       weighted k=%d, T=0.07: the last %d images queried against "
        + "the first %d%n", k, y.length - bankSize, bankSize);
    out.printf("  %-34s %.4f%n", "raw pixels",
        holdout.score(embedded.stream().map(Image::pixels).toArray(float[][]::new)));
    out.printf("  %-34s %.4f (each from its batch's model version)%n",
        "published embeddings", holdout.score(embedded.stream().map(i -> published.get(i.id()))
            .toArray(float[][]::new)));
    Learner<Image> learner = Learner.images(job.learnerConfig());
    out.printf("  %-34s %.4f%n", "untrained encoder",
        holdout.score(learner.embedAll(learner.initialState(), embedded)));
    if (!checkpoints.isEmpty()) {
      CheckpointRecord last = checkpoints.get(checkpoints.size() - 1);
      LearnerState trained = ModelStore.read(last.getUri()).state();
      out.printf("  %-34s %.4f%n", "last checkpoint (v" + last.getModelVersion()
          + ") re-embedded", holdout.score(learner.embedAll(trained, embedded)));
    }
  }

  private static long lastVersion(List<EmbeddingRecord> embeddings) {
    return embeddings.stream().mapToLong(EmbeddingRecord::getModelVersion).max().orElse(0);
  }

  private static float[] vector(List<Float> values) {
    float[] v = new float[values.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = values.get(i);
    }
    return v;
  }

  /** Weighted kNN with the first {@code bankSize} rows as the bank and the rest as queries. */
  private record Holdout(KnnClassifier knn, int[] labels, int bankSize) {
    double score(float[][] rows) {
      int n = rows.length;
      LabelledEmbeddings bank = LabelledEmbeddings.of(Arrays.copyOfRange(rows, 0, bankSize),
          Arrays.copyOfRange(labels, 0, bankSize)).l2Normalised();
      LabelledEmbeddings queries = LabelledEmbeddings.of(Arrays.copyOfRange(rows, bankSize, n),
          Arrays.copyOfRange(labels, bankSize, n)).l2Normalised();
      return knn.accuracy(bank, queries);
    }
  }

}
