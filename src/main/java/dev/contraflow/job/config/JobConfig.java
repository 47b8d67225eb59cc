package dev.contraflow.job.config;

import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.io.image.EncoderInput;
import dev.contraflow.io.record.HttpSchemaRegistry;
import dev.contraflow.io.record.WireFormat;
import dev.contraflow.job.decode.ModelIds;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.PairLearnerConfig;
import dev.contraflow.learn.SentenceLearnerConfig;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The whole configuration of the streaming job, typed and validated once (by
 * {@link JobConfigLoader}). Every setting and its default is listed, with a comment, in
 * {@code default-job.yaml} next to this class; a user's YAML file and {@code --set key=value}
 * overrides are laid over it.
 *
 * @param kafka where the records come from and go to
 * @param topics topic names
 * @param model the model keys records train when they name none
 * @param learner every image model key's learner (MoCo v2 defaults), bound straight from YAML
 * @param sentenceLearner every sentence model key's learner (SimCSE on a hashed bag by default)
 * @param pairLearner every image-text model key's learner (CLIP)
 * @param job Flink settings: parallelism, micro-batch timeout, checkpoints, restarts
 * @param publish how often model files and checkpoint records are published, behind which gates
 * @param refresh the live set each published checkpoint re-embeds (issue 13)
 * @param limits what an input record may be before it is a dead letter
 * @param records how record values are encoded on every topic
 * @param metrics where the job's Flink metrics are exported (Prometheus)
 */
public record JobConfig(Kafka kafka, Topics topics, Model model, LearnerConfig learner,
    SentenceLearnerConfig sentenceLearner, PairLearnerConfig pairLearner, Job job,
    Publish publish, Refresh refresh, Limits limits, Records records, Metrics metrics)
    implements Serializable {

  public JobConfig {
    require(kafka != null && topics != null && model != null && learner != null
        && sentenceLearner != null && pairLearner != null && job != null && publish != null
        && refresh != null && limits != null && records != null && metrics != null, "config", "incomplete",
        "a section is missing; start from default-job.yaml");
    Set<String> distinct = new LinkedHashSet<>(topics.all());
    require(distinct.size() == topics.all().size(), "topics", topics.all(),
        "every topic must have its own name");
    Duration exposed = job.longestOpenTransaction();
    require(kafka.transactionTimeout().compareTo(exposed) >= 0, "kafka.transactionTimeout",
        kafka.transactionTimeout(), "use at least " + exposed + " = (job.checkpointInterval + "
            + "job.checkpointTimeout) x (1 + job.tolerableCheckpointFailures) + the delays of "
            + "job.restartAttempts restarts in a row (job.restartDelay doubling up to "
            + "job.restartMaxDelay): a transaction "
            + "stays open that long at worst, and Kafka aborting it first loses its records "
            + "(Flink's KafkaSink documentation); or shorten those");
  }

  /** Kafka clients. {@code properties} pass through to every client and are never logged. */
  public record Kafka(String bootstrapServers, String groupId, StartingOffsets startingOffsets,
      String startingTimestamp, Map<Integer, Long> startingPartitionOffsets,
      StoppingOffsets stoppingOffsets, String stoppingTimestamp,
      Map<Integer, Long> stoppingPartitionOffsets, Duration transactionTimeout,
      Map<String, String> properties) implements Serializable {

    public Kafka {
      require(bootstrapServers != null && !bootstrapServers.isBlank(), "kafka.bootstrapServers",
          bootstrapServers, "give host:port of at least one broker, e.g. localhost:9092");
      require(groupId != null && !groupId.isBlank(), "kafka.groupId", groupId,
          "give a consumer group id, e.g. contraflow");
      require(startingOffsets != null, "kafka.startingOffsets", null,
          "use EARLIEST, LATEST, COMMITTED, TIMESTAMP or OFFSETS");
      require(startingOffsets != StartingOffsets.TIMESTAMP || startingMillis(startingTimestamp)
          >= 0, "kafka.startingTimestamp", startingTimestamp,
          "TIMESTAMP needs epoch milliseconds or an ISO instant such as 2026-11-23T10:00:00Z");
      startingPartitionOffsets = startingPartitionOffsets == null ? Map.of()
          : Map.copyOf(startingPartitionOffsets);
      require(startingOffsets != StartingOffsets.OFFSETS || !startingPartitionOffsets.isEmpty(),
          "kafka.startingPartitionOffsets", startingPartitionOffsets,
          "OFFSETS needs partition: offset pairs, e.g. {0: 1200, 1: 980}");
      require(stoppingOffsets != null, "kafka.stoppingOffsets", null,
          "use NONE (an unbounded stream), LATEST, TIMESTAMP or OFFSETS");
      require(stoppingOffsets != StoppingOffsets.TIMESTAMP || startingMillis(stoppingTimestamp)
          >= 0, "kafka.stoppingTimestamp", stoppingTimestamp,
          "TIMESTAMP needs epoch milliseconds or an ISO instant such as 2026-11-23T10:00:00Z");
      stoppingPartitionOffsets = stoppingPartitionOffsets == null ? Map.of()
          : Map.copyOf(stoppingPartitionOffsets);
      require(stoppingOffsets != StoppingOffsets.OFFSETS || !stoppingPartitionOffsets.isEmpty(),
          "kafka.stoppingPartitionOffsets", stoppingPartitionOffsets,
          "OFFSETS needs partition: offset pairs, e.g. {0: 5000, 1: 4800}");
      require(transactionTimeout != null && transactionTimeout.toSeconds() >= 10
          && transactionTimeout.toMinutes() <= 15, "kafka.transactionTimeout", transactionTimeout,
          "use 10s..15min: above the checkpoint interval, below the broker's "
              + "transaction.max.timeout.ms (15 min by default)");
      properties = properties == null ? Map.of() : Map.copyOf(properties);
      for (String key : properties.keySet()) {
        require(!key.equals("bootstrap.servers") && !key.equals("group.id")
            && !key.startsWith("transactional.") && !key.equals("isolation.level"),
            "kafka.properties." + key, "(set)",
            "the job sets this itself; use kafka.bootstrapServers / kafka.groupId instead");
      }
    }

    /** kafka.startingTimestamp in epoch milliseconds; -1 when it is not a time. */
    public static long startingMillis(String text) {
      if (text == null || text.isBlank()) {
        return -1;
      }
      try {
        return text.matches("\\d+") ? Long.parseLong(text)
            : java.time.Instant.parse(text).toEpochMilli();
      } catch (java.time.format.DateTimeParseException e) {
        return -1;
      }
    }

    /** Client properties with secrets masked: for logs and error messages. */
    public Map<String, String> redactedProperties() {
      Map<String, String> shown = new TreeMap<>();
      properties.forEach((k, v) -> shown.put(k, isSecret(k) ? "******" : v));
      return shown;
    }

    private static boolean isSecret(String key) {
      String k = key.toLowerCase();
      return k.contains("password") || k.contains("jaas") || k.contains("secret")
          || k.contains("token") || k.endsWith(".key") || k.contains("credentials");
    }

    @Override
    public String toString() {
      return "Kafka[bootstrapServers=" + bootstrapServers + ", groupId=" + groupId
          + ", startingOffsets=" + startingOffsets + ", properties=" + redactedProperties() + "]";
    }
  }

  /**
   * Where a job without a checkpoint starts reading: the beginning, the end, the group's
   * committed offsets (else the beginning), the first record at or after
   * kafka.startingTimestamp, or kafka.startingPartitionOffsets, applied to every input topic
   * (replays of a range: the same range and seed re-train the same model).
   */
  public enum StartingOffsets { EARLIEST, LATEST, COMMITTED, TIMESTAMP, OFFSETS }

  /**
   * Where a bounded replay stops reading each input topic (exclusive): never (NONE, an unbounded
   * stream), the end offsets when the job starts (LATEST), the first record at or after
   * kafka.stoppingTimestamp (TIMESTAMP), or kafka.stoppingPartitionOffsets (OFFSETS). At the end
   * of its input the job trains on and embeds the last partial micro-batch, publishes, and
   * finishes.
   */
  public enum StoppingOffsets {
    NONE, LATEST, TIMESTAMP, OFFSETS;

    /** Whether the job's input ends. */
    public boolean bounded() {
      return this != NONE;
    }
  }

  /**
   * Topic names; inputs and outputs must differ. An empty input topic turns that modality off
   * (the job then neither reads nor learns it); at least one input is needed.
   */
  public record Topics(String images, String sentences, String pairs, String embeddings,
      String checkpoints, String deadLetters) implements Serializable {

    public Topics {
      images = images == null ? "" : images;
      sentences = sentences == null ? "" : sentences;
      pairs = pairs == null ? "" : pairs;
      require(!images.isEmpty() || !sentences.isEmpty() || !pairs.isEmpty(),
          "topics.images / sentences / pairs", "all empty", "name at least one input topic");
      if (!images.isEmpty()) {
        requireTopic("topics.images", images);
      }
      if (!sentences.isEmpty()) {
        requireTopic("topics.sentences", sentences);
      }
      if (!pairs.isEmpty()) {
        requireTopic("topics.pairs", pairs);
      }
      requireTopic("topics.embeddings", embeddings);
      requireTopic("topics.checkpoints", checkpoints);
      requireTopic("topics.deadLetters", deadLetters);
    }

    /** Whether the job reads images (and runs the image learner). */
    public boolean readsImages() {
      return !images.isEmpty();
    }

    /** Whether the job reads sentences (and runs the sentence learner). */
    public boolean readsSentences() {
      return !sentences.isEmpty();
    }

    /** Whether the job reads image-caption pairs (and runs the CLIP learner). */
    public boolean readsPairs() {
      return !pairs.isEmpty();
    }

    /** The input topics the job reads. */
    public List<String> inputs() {
      List<String> in = new ArrayList<>(3);
      for (String topic : List.of(images, sentences, pairs)) {
        if (!topic.isEmpty()) {
          in.add(topic);
        }
      }
      return List.copyOf(in);
    }

    /** Every topic the job reads or writes. */
    public List<String> all() {
      List<String> all = new ArrayList<>(inputs());
      all.addAll(List.of(embeddings, checkpoints, deadLetters));
      return List.copyOf(all);
    }

    private static void requireTopic(String setting, String name) {
      require(name != null && name.matches("[a-zA-Z0-9._-]{1,249}"), setting, name,
          "Kafka topic names are 1-249 of [a-zA-Z0-9._-]");
    }
  }

  /**
   * The models records train when they name none, and how every image is decoded to its model's
   * input ({@code learner.encoder} / {@code pairLearner.image}: channels x height x width) by the
   * rules of {@link EncoderInput}: {@code fit}, {@code alpha}, {@code channelConversion}. Each
   * model key is its own learner; image, sentence and image-text models are separate learners, so
   * their default ids differ.
   *
   * @param maxKeys model ids one learner subtask trains at most (per modality); the records of a
   *     further id are dead letters. Keyed state cannot count keys across subtasks, so the bound
   *     is per subtask - which is where the memory of the learners is - and the whole job trains
   *     at most {@code job.parallelism x maxKeys} ids of each kind.
   */
  public record Model(String defaultId, String defaultSentenceId, String defaultPairId,
      int maxKeys, EncoderInput.Fit fit, EncoderInput.Alpha alpha,
      EncoderInput.ChannelConversion channelConversion) implements Serializable {

    public Model {
      requireModelId("model.defaultId", defaultId, "e.g. default");
      requireModelId("model.defaultSentenceId", defaultSentenceId, "e.g. default-text");
      requireModelId("model.defaultPairId", defaultPairId, "e.g. default-clip");
      require(!defaultSentenceId.equals(defaultId), "model.defaultSentenceId", defaultSentenceId,
          "name the model sentence records without a modelId train, other than model.defaultId,"
              + " e.g. default-text");
      require(!defaultPairId.equals(defaultId) && !defaultPairId.equals(defaultSentenceId),
          "model.defaultPairId", defaultPairId, "name the model image-caption pairs without a "
              + "modelId train, other than the image and sentence defaults, e.g. default-clip");
      require(maxKeys >= 1, "model.maxKeys", maxKeys,
          "use at least 1: the model ids one learner subtask trains (each is its own learner)");
      require(fit != null, "model.fit", fit, "use CROP or PAD");
      require(alpha != null, "model.alpha", alpha, "use WHITE, BLACK or DROP");
      require(channelConversion != null, "model.channelConversion", channelConversion,
          "use CONVERT or REFUSE");
    }

    private static void requireModelId(String setting, String id, String example) {
      String problem = ModelIds.problem(id);
      require(problem == null, setting, id, (problem == null ? "" : problem) + ", " + example);
    }
  }

  /**
   * Flink settings.
   *
   * @param checkpointDir where checkpoints go; they are retained when the job is cancelled or
   *     fails, so a job can resume from the latest ({@code contraflow learn --restore latest})
   * @param allowTemporaryCheckpointDir whether a cluster start accepts a checkpointDir under /tmp
   *     (lost on reboot, and on another machine than the JobManager's)
   * @param checkpointTimeout the longest a checkpoint may take before it is declared failed
   * @param tolerableCheckpointFailures how many checkpoints in a row may fail (time out, or fail
   *     to write their state) before the job fails over; 0 fails it at the first
   * @param restartAttempts how many restarts in a row the job gets before it fails for good
   * @param restartDelay the first restart's delay, doubled for each further one in a row
   * @param restartMaxDelay the longest delay before a restart
   * @param restartResetAfter running this long without a failure starts the count of restarts
   *     and their delay over: faults weeks apart never add up to a failed job
   * @param transactionalIdPrefix the Kafka sink's transactional id prefix; empty: derived from
   *     this deployment (see ContraflowJob#transactionalIdPrefix)
   */
  public record Job(String name, int parallelism, int maxParallelism, Duration batchTimeout,
      Duration checkpointInterval, Duration checkpointTimeout, int tolerableCheckpointFailures,
      URI checkpointDir, boolean allowTemporaryCheckpointDir, int restartAttempts,
      Duration restartDelay, Duration restartMaxDelay, Duration restartResetAfter,
      String transactionalIdPrefix) implements Serializable {

    public Job {
      require(name != null && !name.isBlank(), "job.name", name, "give the Flink job a name");
      require(parallelism >= 1, "job.parallelism", parallelism, "use at least 1");
      require(maxParallelism >= parallelism && maxParallelism <= 32768, "job.maxParallelism",
          maxParallelism, "use parallelism..32768; it caps rescaling and must never change "
              + "after the first savepoint");
      require(batchTimeout != null && !batchTimeout.isNegative() && !batchTimeout.isZero(),
          "job.batchTimeout", batchTimeout, "use a positive duration such as 2s");
      require(checkpointInterval != null && checkpointInterval.toMillis() >= 100,
          "job.checkpointInterval", checkpointInterval,
          "use at least 100ms; embeddings become visible to read_committed consumers per "
              + "checkpoint");
      require(checkpointTimeout != null && checkpointTimeout.toSeconds() >= 1,
          "job.checkpointTimeout", checkpointTimeout,
          "use at least 1s, e.g. 2min; it bounds how long a transaction stays open");
      require(tolerableCheckpointFailures >= 0, "job.tolerableCheckpointFailures",
          tolerableCheckpointFailures, "use 0 or more, e.g. 3");
      require(checkpointDir != null && checkpointDir.getScheme() != null, "job.checkpointDir",
          checkpointDir, "use a URI such as file:///var/lib/contraflow/checkpoints or s3://b/p");
      require(restartAttempts >= 0, "job.restartAttempts", restartAttempts, "use 0 or more");
      require(restartDelay != null && !restartDelay.isNegative(), "job.restartDelay",
          restartDelay, "use a duration such as 2s");
      require(restartMaxDelay != null && restartMaxDelay.compareTo(restartDelay) >= 0,
          "job.restartMaxDelay", restartMaxDelay, "use job.restartDelay or more, e.g. 1min");
      require(restartResetAfter != null && restartResetAfter.toMillis() > 0,
          "job.restartResetAfter", restartResetAfter, "use a positive duration such as 10min");
      transactionalIdPrefix = transactionalIdPrefix == null ? "" : transactionalIdPrefix;
      require(transactionalIdPrefix.matches("[A-Za-z0-9._-]{0,200}"),
          "job.transactionalIdPrefix", transactionalIdPrefix,
          "use up to 200 of [A-Za-z0-9._-], or \"\" to derive it from the deployment");
    }

    /**
     * The longest a sink transaction can stay open: it commits with the next checkpoint that
     * completes, so a checkpoint interval and the slowest checkpoint, once more for every failed
     * checkpoint tolerated, then every restart in a row before the next one completes.
     */
    public Duration longestOpenTransaction() {
      return checkpointInterval.plus(checkpointTimeout)
          .multipliedBy(1L + tolerableCheckpointFailures)
          .plus(longestRestartSequence());
    }

    /**
     * The delays of {@code restartAttempts} restarts in a row: restartDelay, doubled each time,
     * at most restartMaxDelay.
     */
    public Duration longestRestartSequence() {
      Duration total = Duration.ZERO;
      Duration delay = restartDelay;
      for (int i = 0; i < restartAttempts; i++) {
        total = total.plus(delay);
        delay = delay.multipliedBy(2).compareTo(restartMaxDelay) < 0 ? delay.multipliedBy(2)
            : restartMaxDelay;
      }
      return total;
    }

    /** Whether checkpoints go under /tmp, where a machine's restart or cleaner loses them. */
    public boolean checkpointsAreTemporary() {
      String path = checkpointDir.getPath();
      return "file".equals(checkpointDir.getScheme()) && path != null
          && (path.equals("/tmp") || path.startsWith("/tmp/"));
    }
  }

  /**
   * Model publishing: a model file goes to {@code modelStore} (any Flink file system URI) and a
   * CheckpointRecord to the checkpoints topic every {@code everySteps} steps or {@code interval}
   * of processing time, whichever comes first - if the model passes {@code gates}.
   */
  public record Publish(int everySteps, Duration interval, URI modelStore, Gates gates)
      implements Serializable {

    public Publish {
      require(everySteps >= 1, "publish.everySteps", everySteps, "use at least 1, e.g. 100");
      require(interval != null && !interval.isNegative() && !interval.isZero(),
          "publish.interval", interval, "use a positive duration such as 5min");
      require(modelStore != null && modelStore.getScheme() != null, "publish.modelStore",
          modelStore, "use a URI such as file:///var/lib/contraflow/models or s3://b/models");
      require(gates != null, "publish.gates", null, "give the section; enabled: false turns "
          + "the gates off");
    }
  }

  /**
   * Health gates a model must pass to be published (and refreshed): otherwise its
   * CheckpointRecord says REJECTED with the reason and the previous version stays current.
   *
   * @param minStdRatio the collapse threshold: the per-dimension std of the L2-normalised
   *     embeddings of the gate sample, times sqrt(d), must reach it (about 1 when healthy, 0 when
   *     collapsed; SimSiam, Chen &amp; He 2021)
   * @param uniformityTolerance how much the uniformity of the gate sample (Wang &amp; Isola: log
   *     E exp(-2 ||x - y||^2), lower is better) may exceed the last published model's
   * @param alignmentTolerance how much the alignment of the step's two views (E ||x - y||^2,
   *     lower is better) may exceed the last published model's
   * @param sampleSize the fixed sample: a model's first this-many records, embedded by every
   *     candidate so that their figures are comparable
   */
  public record Gates(boolean enabled, double minStdRatio, double uniformityTolerance,
      double alignmentTolerance, int sampleSize, Probe probe) implements Serializable {

    public Gates {
      require(minStdRatio >= 0 && minStdRatio < 1, "publish.gates.minStdRatio", minStdRatio,
          "use 0..1, e.g. 0.01 (0 turns the collapse gate off)");
      require(uniformityTolerance >= 0 && Double.isFinite(uniformityTolerance),
          "publish.gates.uniformityTolerance", uniformityTolerance, "use 0 or more, e.g. 0.5");
      require(alignmentTolerance >= 0 && Double.isFinite(alignmentTolerance),
          "publish.gates.alignmentTolerance", alignmentTolerance, "use 0 or more, e.g. 1.0");
      require(sampleSize >= 2 && sampleSize <= 4096, "publish.gates.sampleSize", sampleSize,
          "use 2..4096, e.g. 256: uniformity and std need at least two embeddings");
      require(probe != null, "publish.gates.probe", null, "give the section; empty images and "
          + "topic turn the probe off");
    }
  }

  /**
   * The labelled probe of the publish gates (issue 13): labelled images on which each candidate
   * image model's weighted kNN accuracy (cosine, T = 0.07; InstDisc/MoCo's monitor) is measured,
   * every other probe image the bank and the rest the queries. A candidate whose accuracy falls
   * below the last published model's by more than {@code tolerance} is REJECTED. Off unless
   * {@code images} or {@code topic} is set; it gates image models only.
   *
   * @param images an IDX images file or a Fashion-MNIST folder with its labels beside it, read on
   *     each task manager (a path they all see)
   * @param topic or a topic whose ImageRecords carry the {@code label} attribute ({@code
   *     contraflow produce} writes it from IDX labels), read through the job's Kafka settings
   * @param from start of the topic's range: epoch ms or ISO instant; empty: the beginning
   * @param to end of the range, exclusive; empty: the end when the task starts
   * @param limit the most probe images (the first ones)
   * @param k the neighbours that vote
   * @param tolerance how far (0..1) the accuracy may fall below the last published model's
   */
  public record Probe(String images, String topic, String from, String to, int limit, int k,
      double tolerance) implements Serializable {

    public Probe {
      images = images == null ? "" : images.strip();
      topic = topic == null ? "" : topic.strip();
      from = from == null ? "" : from.strip();
      to = to == null ? "" : to.strip();
      require(images.isEmpty() || topic.isEmpty(), "publish.gates.probe.topic", topic,
          "give either probe.images or probe.topic, not both");
      require(from.isEmpty() || Kafka.startingMillis(from) >= 0, "publish.gates.probe.from",
          from, "use epoch milliseconds or an ISO instant such as 2026-11-23T10:00:00Z");
      require(to.isEmpty() || Kafka.startingMillis(to) >= 0, "publish.gates.probe.to", to,
          "use epoch milliseconds or an ISO instant such as 2026-11-23T10:00:00Z");
      require(limit >= 4 && limit <= 20000, "publish.gates.probe.limit", limit,
          "use 4..20000, e.g. 2000: half the bank, half the queries, each embedded per candidate");
      require(k >= 1, "publish.gates.probe.k", k, "use at least 1, e.g. 20");
      require(tolerance >= 0 && tolerance <= 1, "publish.gates.probe.tolerance", tolerance,
          "use 0..1: 0 rejects any drop in accuracy, 0.02 allows two points");
    }

    /** Whether a probe is configured at all. */
    public boolean configured() {
      return !images.isEmpty() || !topic.isEmpty();
    }
  }

  /**
   * The live set and its refresh (issue 13). Per model key the job keeps the latest input of each
   * id it embedded, at the encoder's input size, in keyed state; every published checkpoint
   * re-embeds it (embeddings of kind REFRESH), {@code chunk} records per timer firing so that
   * learning goes on in between, then a COMPLETE CheckpointRecord says how many it emitted.
   *
   * @param enabled the off switch: no live set is kept and nothing is re-embedded
   * @param maxRecords the most ids a model's live set holds; the least recently seen go first
   * @param maxBytes the most bytes (decoded pixels, text) a model's live set holds
   * @param ttl an id not seen for this long leaves the live set; zero keeps ids forever
   * @param chunk records re-embedded per timer firing; while a refresh runs, Flink's mailbox lets
   *     one input record through between two firings, so the chunk's time bounds the stream's
   *     rate then, not its delay (issue 20, README "Stream")
   */
  public record Refresh(boolean enabled, int maxRecords, long maxBytes, Duration ttl, int chunk)
      implements Serializable {

    public Refresh {
      require(maxRecords >= 1, "refresh.maxRecords", maxRecords, "use at least 1, e.g. 100000");
      require(maxBytes >= 1 << 20, "refresh.maxBytes", maxBytes,
          "use at least 1048576 (1 MiB), e.g. 536870912");
      require(ttl != null && !ttl.isNegative(), "refresh.ttl", ttl,
          "use a duration such as 7d, or 0s to keep ids until maxRecords or maxBytes push "
              + "them out");
      require(chunk >= 1 && chunk <= 65536, "refresh.chunk", chunk,
          "use 1..65536, e.g. 256: each timer firing embeds this many records");
    }
  }

  /**
   * Input limits: beyond them a record is a dead letter with the reason.
   *
   * @param maxDecodedBytes the most a decoded image may take before it is resized
   * @param maxDeadLetterBytes the most a dead letter is on the wire: a longer value is cut, with
   *     its original length and SHA-256 (the dead-letter topic must take this much)
   * @param maxPendingBytes a model's pending micro-batch closes before B records once its records
   *     hold this many bytes (decoded pixels, text): B large images cannot pile up in state
   * @param maxRejectedSteps steps rejected as non-finite in a row after which a model stops
   *     training (its records are still embedded by its last good state)
   */
  public record Limits(int maxRecordBytes, long maxPixels, long maxDecodedBytes,
      int maxDeadLetterBytes, long maxPendingBytes, int maxRejectedSteps)
      implements Serializable {

    public Limits {
      require(maxRecordBytes >= 1024, "limits.maxRecordBytes", maxRecordBytes,
          "use at least 1024");
      require(maxPixels >= 64 && maxPixels <= EncoderInput.LARGEST_MAX_PIXELS, "limits.maxPixels",
          maxPixels, "use 64.." + EncoderInput.LARGEST_MAX_PIXELS);
      require(maxDecodedBytes >= EncoderInput.SMALLEST_MAX_DECODED_BYTES,
          "limits.maxDecodedBytes", maxDecodedBytes,
          "use at least " + EncoderInput.SMALLEST_MAX_DECODED_BYTES);
      require(maxDeadLetterBytes >= MIN_DEAD_LETTER_BYTES
          && maxDeadLetterBytes <= MAX_DEAD_LETTER_BYTES, "limits.maxDeadLetterBytes",
          maxDeadLetterBytes, "use " + MIN_DEAD_LETTER_BYTES + ".." + MAX_DEAD_LETTER_BYTES
              + " (at most the job's producer request size), e.g. 1048576; the dead-letter "
              + "topic's max.message.bytes must be at least as large");
      require(maxRejectedSteps >= 1, "limits.maxRejectedSteps", maxRejectedSteps,
          "use at least 1, e.g. 10");
      require(maxPendingBytes >= 1 << 20, "limits.maxPendingBytes", maxPendingBytes,
          "use at least 1048576 (1 MiB), e.g. 268435456; a smaller batch only trains worse");
    }
  }

  /**
   * Wire format of every record value: Avro single-object encoding (no registry), or the
   * Confluent Schema Registry format with subjects named {@code <topic>-value}.
   */
  public record Records(WireFormat wireFormat, String schemaRegistryUrl) implements Serializable {

    public Records {
      require(wireFormat != null, "records.wireFormat", null, "use SINGLE_OBJECT or CONFLUENT");
      require(wireFormat != WireFormat.CONFLUENT
          || (schemaRegistryUrl != null && schemaRegistryUrl.matches("https?://.+")),
          "records.schemaRegistryUrl", HttpSchemaRegistry.redacted(schemaRegistryUrl),
          "CONFLUENT needs the registry's URL, e.g. http://localhost:8081");
    }

    /** With the registry URL's user:password masked: it is printed at start-up. */
    @Override
    public String toString() {
      return "Records[wireFormat=" + wireFormat + ", schemaRegistryUrl="
          + HttpSchemaRegistry.redacted(schemaRegistryUrl) + "]";
    }
  }

  /**
   * Metric export of a local run ({@code contraflow learn}, {@code demo}): with
   * {@code prometheus.port} set, Flink's Prometheus reporter serves every metric of the job (the
   * learners' step, loss, embeddingStd, ...; the decoders' deadLetters) at
   * {@code http://host:port/metrics}. A Flink cluster configures its reporters itself (ops/).
   */
  public record Metrics(Prometheus prometheus) implements Serializable {

    public Metrics {
      require(prometheus != null, "metrics.prometheus", null,
          "give the section, with port \"\" for no reporter");
    }
  }

  /**
   * Flink's Prometheus reporter.
   *
   * @param port a port or a range such as 9249-9259 (each JVM takes the first free one); empty
   *     for no reporter
   */
  public record Prometheus(String port) implements Serializable {

    public Prometheus {
      port = port == null ? "" : port.strip();
      require(port.isEmpty() || validPorts(port), "metrics.prometheus.port", port,
          "use a port such as 9249, a range such as 9249-9259, or \"\" for no reporter");
    }

    public boolean enabled() {
      return !port.isEmpty();
    }

    private static boolean validPorts(String port) {
      if (!port.matches("\\d{1,5}(-\\d{1,5})?")) {
        return false;
      }
      String[] ends = port.split("-");
      int first = Integer.parseInt(ends[0]);
      int last = Integer.parseInt(ends[ends.length - 1]);
      return first >= 1 && last <= 65535 && first <= last;
    }
  }

  /**
   * What every image of the images topic is decoded to: the image learner's input shape
   * ({@code learner.encoder}) by the rules of {@code model.*}, within {@code limits.*}.
   */
  public EncoderInput encoderInput() {
    return encoderInput(learner.encoder());
  }

  /** What every image of the pairs topic is decoded to: the CLIP image tower's input shape. */
  public EncoderInput pairEncoderInput() {
    return encoderInput(pairLearner.image());
  }

  private EncoderInput encoderInput(EncoderConfig shape) {
    return new EncoderInput(shape.channels(), shape.height(), shape.width(), model.fit(),
        model.alpha(), model.channelConversion(), limits.maxPixels(), limits.maxDecodedBytes());
  }

  /** Room for a dead letter's key, reason and coordinates, and some of the value. */
  public static final int MIN_DEAD_LETTER_BYTES = 64 << 10;
  /** The job's producer request size (max.request.size): no record it writes is larger. */
  public static final int MAX_DEAD_LETTER_BYTES = 16 << 20;

  static void require(boolean ok, String setting, Object value, String fix) {
    if (!ok) {
      throw new InvalidJobConfigException(setting + " = " + value + " is invalid: " + fix);
    }
  }
}
