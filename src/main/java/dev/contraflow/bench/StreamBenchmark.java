package dev.contraflow.bench;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.CheckpointStatus;
import dev.contraflow.avro.EmbeddingKind;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.record.ImageRecords;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.ContraflowJob;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.kafka.EmbeddedKafka;
import dev.contraflow.kafka.RecordProducer;
import dev.contraflow.kafka.TopicReader;
import dev.contraflow.learn.Batch;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What Flink and Kafka cost: records/s of {@code Learner.step} alone against records/s through
 * the embedded job (Kafka in, embeddings visible to a read_committed consumer out) on the same
 * images, then produce-to-visible latency at a fixed input rate below capacity.
 *
 * <p>With {@code refresh.enabled} the job also re-embeds its live set at every published
 * checkpoint: throughput and latency count the records' own (NEW) embeddings only, and the
 * refresh's embeddings and completed versions in the throughput window are reported beside them,
 * so a run with the refresh and one without give its cost.
 */
public final class StreamBenchmark {

  /** Figures of one run. */
  public record Result(double learnerAlone, double throughJob, double latencyRate,
      long p50Millis, long p99Millis, int latencySamples) {}

  /** Learner steps before the learner alone is timed. */
  static final int WARMUP_STEPS = 12;

  private final PrintStream out;

  public StreamBenchmark(PrintStream out) {
    this.out = out;
  }

  public Result run(JobConfig config, List<Image> images, Path workDir, double rateFraction,
      Duration latencyWindow) throws Exception {
    double before = learnerAlone(config, images);
    out.printf("Learner.step alone:          %8.0f records/s (batches of %d, embeddings on)%n",
        before, config.learner().batchSize());
    double through;
    double rate;
    long[] latencies;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(workDir)) {
      JobConfig job = withBroker(config, kafka);
      kafka.createTopics(job.topics().all(), 1);
      try (TopicReader<EmbeddingRecord> embeddings = new TopicReader<>(kafka.bootstrapServers(),
          job.topics().embeddings(), RecordCodec.singleObject(EmbeddingRecord.class), Map.of());
          TopicReader<CheckpointRecord> checkpoints = new TopicReader<>(
              kafka.bootstrapServers(), job.topics().checkpoints(),
              RecordCodec.singleObject(CheckpointRecord.class), Map.of())) {
        produceAll(kafka, job, images, "t-");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
            ContraflowJob.flinkConfiguration(job));
        ContraflowJob.build(env, job);
        JobClient client = env.executeAsync(job.job().name());
        try {
          long refreshedBefore = refreshed(embeddings);
          long started = System.nanoTime();
          through = throughput(embeddings, images.size());
          out.printf("through the embedded job:    %8.0f records/s%n", through);
          if (job.refresh().enabled()) {
            double seconds = (System.nanoTime() - started) / 1e9;
            long refreshedNow = refreshed(embeddings) - refreshedBefore;
            out.printf("refresh meanwhile:           %8.0f re-embeddings/s (%d in %.0f s, "
                + "%.2f per record; publish every %d steps, chunk %d)%n", refreshedNow / seconds,
                refreshedNow, seconds, refreshedNow / (double) images.size(),
                job.publish().everySteps(), job.refresh().chunk());
            Refreshes r = Refreshes.of(checkpoints.records());
            out.printf("refreshes:                   %d of %d published versions COMPLETE so far "
                + "(the others superseded by the next publish, or under way)%n", r.completed(),
                r.published());
          }
          rate = rateFraction * through;
          latencies = latency(kafka, job, embeddings, images, rate, latencyWindow);
        } finally {
          client.cancel().get();
        }
      }
    }
    // Measured again afterwards: on a shared machine the two alone-runs bracket the noise.
    double after = learnerAlone(config, images);
    double alone = (before + after) / 2;
    out.printf("Learner.step alone again:    %8.0f records/s%n", after);
    out.printf("job / alone: %.2f (Flink + Kafka cost %.0f%% of throughput; alone = mean of the "
        + "two runs)%n", through / alone, 100 * (1 - through / alone));
    long p50 = percentile(latencies, 50);
    long p99 = percentile(latencies, 99);
    out.printf("latency at %.0f records/s: p50 %d ms, p99 %d ms over %d records (produce -> "
            + "visible to read_committed; checkpoint every %s, batch timeout %s)%n", rate, p50,
        p99, latencies.length, config.job().checkpointInterval(), config.job().batchTimeout());
    return new Result(alone, through, rate, p50, p99, latencies.length);
  }

  private static JobConfig withBroker(JobConfig c, EmbeddedKafka kafka) {
    JobConfig.Kafka k = c.kafka();
    return new JobConfig(new JobConfig.Kafka(kafka.bootstrapServers(), k.groupId(),
        k.startingOffsets(), k.startingTimestamp(), k.startingPartitionOffsets(),
        k.stoppingOffsets(), k.stoppingTimestamp(), k.stoppingPartitionOffsets(),
        k.transactionTimeout(), k.properties()), c.topics(), c.model(),
        c.learner(), c.sentenceLearner(), c.pairLearner(), c.job(), c.publish(), c.refresh(), c.limits(),
        c.records(), c.metrics());
  }

  private double learnerAlone(JobConfig config, List<Image> images) {
    Learner<Image> learner = Learner.images(config.learner());
    LearnerState s = learner.initialState();
    int b = config.learner().batchSize();
    // warm-up: with 2 steps the first run of a JVM still paid the learner's JIT compilation
    // (176-220 records/s against 223-252 for the run after the job; issue 20)
    for (int w = 0; w < WARMUP_STEPS; w++) {
      s = learner.step(s, Batch.of(images.subList(0, Math.min(b, images.size())))).state();
    }
    long start = System.nanoTime();
    for (int i = 0; i < images.size(); i += b) {
      s = learner.step(s, Batch.of(images.subList(i, Math.min(i + b, images.size())))).state();
    }
    return images.size() / ((System.nanoTime() - start) / 1e9);
  }

  private static void produceAll(EmbeddedKafka kafka, JobConfig job, List<Image> images,
      String idPrefix) {
    RecordCodec<ImageRecord> codec = RecordCodec.singleObject(ImageRecord.class);
    try (RecordProducer p = new RecordProducer(kafka.bootstrapServers(), Map.of())) {
      for (Image image : images) {
        Image renamed = new Image(idPrefix + image.id(), image.channels(), image.height(),
            image.width(), image.pixels());
        p.send(job.topics().images(), renamed.id().getBytes(StandardCharsets.UTF_8),
            codec.encode(ImageRecords.raw(renamed, null, "bench", Instant.now())));
      }
      p.flush();
    }
  }

  /**
   * Records/s between the first 10% and the last embedding becoming visible: start-up (broker,
   * MiniCluster, native libraries) is left out, as a long-running job does not pay it.
   */
  private double throughput(TopicReader<EmbeddingRecord> embeddings, int n)
      throws InterruptedException {
    int from = n / 10;
    long start = 0;
    long last = System.nanoTime();
    int seen = 0;
    FreshCount fresh = new FreshCount(embeddings);
    while (fresh.now() < n) {
      Thread.sleep(20);
      int now = fresh.now();
      if (start == 0 && now >= from) {
        start = System.nanoTime();
        seen = now;
      }
      if (System.nanoTime() - last > 10e9) {
        last = System.nanoTime();
        out.printf("  %d/%d embeddings visible%n", now, n);
      }
    }
    return (n - seen) / ((System.nanoTime() - start) / 1e9);
  }

  private long[] latency(EmbeddedKafka kafka, JobConfig job,
      TopicReader<EmbeddingRecord> embeddings, List<Image> images, double rate, Duration window)
      throws InterruptedException {
    FreshCount fresh = new FreshCount(embeddings);
    int before = fresh.now();
    RecordCodec<ImageRecord> codec = RecordCodec.singleObject(ImageRecord.class);
    long periodNanos = Math.round(1e9 / rate);
    long start = System.nanoTime();
    int sent = 0;
    try (RecordProducer p = new RecordProducer(kafka.bootstrapServers(), Map.of())) {
      while (System.nanoTime() - start < window.toNanos()) {
        long due = start + sent * periodNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        Image image = images.get(sent % images.size());
        Image renamed = new Image("l-" + sent, image.channels(), image.height(), image.width(),
            image.pixels());
        p.send(job.topics().images(), renamed.id().getBytes(StandardCharsets.UTF_8),
            codec.encode(ImageRecords.raw(renamed, null, "bench", Instant.now())));
        sent++;
      }
      p.flush();
    }
    int expected = before + sent;
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (fresh.now() < expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    List<EmbeddingRecord> all = embeddings.records();
    List<Long> arrivals = embeddings.arrivalMillis();
    List<Long> latencies = new ArrayList<>();
    int seen = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).getKind() == EmbeddingKind.NEW && seen++ >= before) {
        latencies.add(arrivals.get(i) - all.get(i).getEventTime().toEpochMilli());
      }
    }
    return latencies.stream().mapToLong(Long::longValue).toArray();
  }

  /**
   * How many of the records' own embeddings (a refresh's are left out) are visible, counted as
   * they arrive: polled every 20 ms, a scan of the whole topic each time cost the benchmark's own
   * thread a share of the cores the job runs on that grew with the topic (issue 20).
   */
  private static final class FreshCount {
    private final TopicReader<EmbeddingRecord> embeddings;
    private int scanned;
    private int fresh;

    FreshCount(TopicReader<EmbeddingRecord> embeddings) {
      this.embeddings = embeddings;
    }

    int now() {
      List<EmbeddingRecord> arrived = embeddings.recordsFrom(scanned);
      scanned += arrived.size();
      for (EmbeddingRecord e : arrived) {
        if (e.getKind() == EmbeddingKind.NEW) {
          fresh++;
        }
      }
      return fresh;
    }
  }

  /**
   * How many published model versions a run's refreshes completed: a version whose refresh was
   * superseded by the next publish never completes, so with a large live set or frequent publishes
   * serve keeps answering from an older version (the cost of cutting a refresh finer; issue 20).
   */
  record Refreshes(int published, int completed) {

    static Refreshes of(List<CheckpointRecord> records) {
      int published = 0;
      int completed = 0;
      for (CheckpointRecord r : records) {
        if (r.getStatus() == CheckpointStatus.PUBLISHED) {
          published++;
        } else if (r.getStatus() == CheckpointStatus.COMPLETE) {
          completed++;
        }
      }
      return new Refreshes(published, completed);
    }
  }

  private static long refreshed(TopicReader<EmbeddingRecord> embeddings) {
    return embeddings.records().stream().filter(e -> e.getKind() == EmbeddingKind.REFRESH)
        .count();
  }

  static long percentile(long[] values, int p) {
    if (values.length == 0) {
      return -1;
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }
}
