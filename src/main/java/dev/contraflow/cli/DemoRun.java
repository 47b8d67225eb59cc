package dev.contraflow.cli;

import dev.contraflow.job.config.JobConfigOptions;
import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.CheckpointStatus;
import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.avro.EmbeddingKind;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.avro.SentenceRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.ImageSource;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.ContraflowJob;
import dev.contraflow.job.RecordCodecs;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.kafka.EmbeddedKafka;
import dev.contraflow.kafka.ImageFeed;
import dev.contraflow.kafka.RecordProducer;
import dev.contraflow.kafka.TopicReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The demo's orchestration: start a Kafka broker in this process, create the topics, start the
 * streaming job on a Flink MiniCluster, produce the images (then the sentences) from another
 * thread, wait until every record has become an embedding or a dead letter, cancel the job, and
 * hand what came out to {@link DemoSummary}.
 *
 * @param images the images to stream, ids their 0-based position; decoded (IDX) or sent as files
 *     as they are reached
 * @param labels their labels, if the images had some (they ride along as an attribute)
 * @param lines the sentences to stream (ids line-n)
 * @param streamSentences whether the job reads a sentences topic at all
 * @param inputSettings the encoder input options as job settings ({@code learner.encoder.*},
 *     {@code model.*})
 * @param jobOptions the user's --config and --set, applied over the demo's settings
 * @param work broker logs, Flink checkpoints and model files
 * @param timeout how long the outputs may take to arrive
 * @param webUiPort where the Flink web UI is served during the run, null for nowhere
 * @param serve after the summary, serve the embeddings until stopped ({@code --serve}); null:
 *     the demo ends with its summary
 */
record DemoRun(ImageSource images, Optional<int[]> labels, List<String> lines,
    boolean streamSentences, List<String> inputSettings, JobConfigOptions jobOptions, Path work,
    Duration timeout, Integer webUiPort, DemoServe serve) {

  void run(PrintWriter out) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(work)) {
      JobConfig job = demoConfig(kafka, work);
      ImageSource source = images.withDecoder(new ImageDecoder(job.encoderInput()));
      kafka.createTopics(job.topics().all(), 1);
      long imageIds;
      // the records' own embeddings: one per record, what the summary counts; a refresh's
      // re-embeddings of the live set are not records coming out
      try (TopicReader<EmbeddingRecord> embeddings = new TopicReader<>(kafka.bootstrapServers(),
              job.topics().embeddings(), RecordCodec.singleObject(EmbeddingRecord.class),
              Map.of(), e -> e.getKind() == EmbeddingKind.NEW);
          TopicReader<DeadLetterRecord> deadLetters = reader(kafka, job.topics().deadLetters(),
              DeadLetterRecord.class);
          TopicReader<CheckpointRecord> checkpoints = reader(kafka, job.topics().checkpoints(),
              CheckpointRecord.class)) {
        Configuration flink = ContraflowJob.flinkConfiguration(job);
        if (webUiPort != null) {
          LocalRest rest = LocalRest.of(webUiPort, Duration.ofSeconds(2));
          rest.applyTo(flink);
          System.err.println("demo: Flink web UI at " + rest.uri() + " while the demo runs");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        ContraflowJob.build(env, job);
        JobClient client = env.executeAsync(job.job().name());
        // kept at the encoder's input for the kNN figures; only labelled (IDX) images are
        List<Image> kept = Collections.synchronizedList(new ArrayList<>());
        ImageFeed.Result fed;
        try {
          CompletableFuture<ImageFeed.Result> feeding = produce(kafka, job, source, kept);
          fed = awaitOutputs(feeding, embeddings, deadLetters, checkpoints);
        } finally {
          client.cancel().get();
        }
        new DemoSummary(job, fed.sent(), fed.refused(), kept, labels, lines.size()).print(out,
            embeddings.records(), deadLetters.records(), checkpoints.records());
        imageIds = embeddings.records().stream()
            .filter(e -> job.model().defaultId().equals(e.getModelId().toString()))
            .map(e -> e.getId().toString()).distinct().count();
      }
      if (serve != null) {
        out.flush();
        serve.serve(kafka, job, work, imageIds, out);
      }
    }
  }

  private JobConfig demoConfig(EmbeddedKafka kafka, Path work) {
    List<String> all = new ArrayList<>(List.of(
        "kafka.bootstrapServers=" + kafka.bootstrapServers(),
        "model.defaultId=demo",
        "model.defaultSentenceId=demo-text",
        "topics.sentences=" + (streamSentences ? "contraflow.sentences" : ""),
        "topics.pairs=",
        "job.name=contraflow-demo",
        "job.checkpointInterval=2s",
        "publish.everySteps=10",
        "job.checkpointDir=" + work.resolve("checkpoints").toUri(),
        "publish.modelStore=" + work.resolve("models").toUri()));
    all.addAll(inputSettings);
    return jobOptions.load(all);
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> TopicReader<T> reader(
      EmbeddedKafka kafka, String topic, Class<T> type) {
    return new TopicReader<>(kafka.bootstrapServers(), topic, RecordCodec.singleObject(type),
        Map.of());
  }

  /** Images, then sentences, from another thread; done when both are flushed. */
  private CompletableFuture<ImageFeed.Result> produce(EmbeddedKafka kafka, JobConfig job,
      ImageSource source, List<Image> kept) {
    RecordCodec<SentenceRecord> text = RecordCodec.singleObject(SentenceRecord.class);
    CompletableFuture<ImageFeed.Result> done = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (RecordProducer p = new RecordProducer(kafka.bootstrapServers(), Map.of())) {
        // the same sender as `contraflow produce`; ids are positions, so the summary can name a
        // dead letter's image by its offset, and non-images go to the job to be dead-lettered
        ImageFeed feed = new ImageFeed(p, job.topics().images(),
            new RecordCodecs(job.records()).forTopic(ImageRecord.class, job.topics().images()),
            "demo", null, ImageFeed.Ids.POSITION, ImageFeed.NonImages.SEND,
            job.limits().maxRecordBytes());
        ImageFeed.Result fed = feed.send(source, labels, new ImageFeed.Listener() {
          @Override
          public void sent(String id, Image image, int bytes) {
            if (image != null && labels.isPresent()) {
              kept.add(image);
            }
          }
        });
        fed.refused().forEach(line -> System.err.println("refused " + line));
        for (int i = 0; i < lines.size(); i++) {
          String id = "line-" + i;
          p.send(job.topics().sentences(), id.getBytes(StandardCharsets.UTF_8),
              text.encode(SentenceRecord.newBuilder().setId(id).setText(lines.get(i))
                  .setSource("demo").setEventTime(Instant.now()).build()));
        }
        p.flush();
        done.complete(fed);
      } catch (Exception | Error e) {
        done.completeExceptionally(e);
      }
    }, "demo-producer");
    t.setDaemon(true);
    t.start();
    return done;
  }

  /** Waits until every record sent is an embedding or a dead letter; returns what was sent. */
  private ImageFeed.Result awaitOutputs(CompletableFuture<ImageFeed.Result> feeding,
      TopicReader<EmbeddingRecord> embeddings, TopicReader<DeadLetterRecord> deadLetters,
      TopicReader<CheckpointRecord> checkpoints) throws Exception {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    long lastPrint = 0;
    while (!feeding.isDone()
        || embeddings.count() + deadLetters.count() < feeding.join().sent() + lines.size()) {
      if (feeding.isCompletedExceptionally()) {
        try {
          feeding.join();
        } catch (CompletionException e) {
          throw new IllegalStateException("producing the demo's records failed: "
              + e.getCause().getMessage(), e.getCause());
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + embeddings.count() + " embeddings and "
            + deadLetters.count() + " dead letters after " + timeout);
      }
      if (System.nanoTime() - lastPrint > 5e9) {
        lastPrint = System.nanoTime();
        double secs = (lastPrint - started) / 1e9;
        // as the summary counts them: a refresh's COMPLETE record is not another checkpoint
        long complete = checkpoints.records().stream()
            .filter(c -> c.getStatus() == CheckpointStatus.COMPLETE).count();
        System.err.printf("demo: %d embeddings committed, %d dead letters, %d checkpoints (%d"
                + " refreshed) | %.0f records/s | elapsed %s%n", embeddings.count(),
            deadLetters.count(), checkpoints.count() - complete, complete,
            embeddings.count() / Math.max(secs, 1e-9), ProgressLine.format(Math.round(secs)));
      }
      Thread.sleep(100);
    }
    return feeding.join();
  }
}
