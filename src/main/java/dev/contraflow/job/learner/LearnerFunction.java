package dev.contraflow.job.learner;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.encoder.NativeMemory;
import dev.contraflow.job.RecordCodecs;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.decode.KeyedInput;
import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.job.decode.PairInput;
import dev.contraflow.job.decode.SentenceInput;
import dev.contraflow.job.sink.DeadLetters;
import dev.contraflow.job.sink.EmbeddingRecords;
import dev.contraflow.job.sink.KafkaOutput;
import dev.contraflow.avro.Modality;
import dev.contraflow.io.image.Image;
import dev.contraflow.learn.Batch;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.Output;
import dev.contraflow.learn.PairExample;
import dev.contraflow.learn.SentenceExample;
import dev.contraflow.learn.StepResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The learner of each model key (modelId) of one kind ({@link ModelSpec}: images, sentences or
 * image-text pairs). Records are buffered in keyed state until the micro-batch holds B of them,
 * or {@code limits.maxPendingBytes} of them, or {@code job.batchTimeout} of processing time has
 * passed since its first record; then one step
 * trains on it and every record gets its embedding (a pair: one per tower) from the model the
 * step left - the momentum encoder, for methods that have one - tagged with the new model version
 * (the step).
 *
 * <p>A step the learner rejects as non-finite leaves the key's state as it was and its records are
 * embedded by that state; after {@code limits.maxRejectedSteps} rejections in a row the key stops
 * training (metric {@code trainingStopped}) and only embeds, and the job goes on.
 *
 * <p>All learner state lives in keyed state and is replaced by fresh immutable values after each
 * step, so a Flink checkpoint holds each learner consistent with the Kafka offsets and with the
 * embeddings already committed: a restore continues from exactly the parameters, queue and RNG an
 * uninterrupted run would have had.
 */
public final class LearnerFunction<I extends KeyedInput, X>
    extends KeyedProcessFunction<String, I, KafkaOutput> implements CheckpointedFunction {

  private final ModelSpec<I, X> spec;
  private final long batchTimeoutMillis;
  private final int publishEverySteps;
  private final long publishIntervalMillis;
  private final ModelPublisher publisher;
  private final EmbeddingRecords embeddingRecords;
  private final DeadLetters deadLetters;
  private final int maxKeys;
  private final long maxPendingBytes;
  private final int maxRejectedSteps;

  private transient Learner<X> learner;
  private transient Function<I, X> examples;
  private transient ValueState<LearnerState> learnerState;
  /** The state of a savepoint written before the one learner frame; moved on first use. */
  private transient ValueState<LearnerState> legacyLearnerState;
  private transient ListState<I> pending;
  private transient ValueState<Integer> pendingCount;
  private transient ValueState<Long> pendingBytes;
  private transient ValueState<Long> batchDeadline;
  private transient ValueState<PublishedModel> published;
  private transient Map<String, ModelMetrics> metrics;
  private transient ValueState<Boolean> admitted;
  private transient ValueState<Integer> rejectedSteps;
  private transient ListState<Tuple2<Integer, Integer>> admittedPerKeyGroup;
  private transient ModelKeyCap keyCap;
  private transient Counter deadLetterCount;

  /** The learner of the job's image models. */
  public static LearnerFunction<LearnerInput, Image> images(JobConfig config) {
    return new LearnerFunction<>(config, new ImageModelSpec(config.learner()));
  }

  /** The learner of the job's image-text (CLIP) models. */
  public static LearnerFunction<PairInput, PairExample> pairs(JobConfig config) {
    return new LearnerFunction<>(config, new PairModelSpec(config.pairLearner()));
  }

  /** The learner of the job's sentence models. */
  public static LearnerFunction<SentenceInput, SentenceExample> sentences(JobConfig config) {
    return new LearnerFunction<>(config, new SentenceModelSpec(config.sentenceLearner()));
  }

  public LearnerFunction(JobConfig config, ModelSpec<I, X> spec) {
    this.spec = spec;
    this.batchTimeoutMillis = config.job().batchTimeout().toMillis();
    this.publishEverySteps = config.publish().everySteps();
    this.publishIntervalMillis = config.publish().interval().toMillis();
    RecordCodecs codecs = new RecordCodecs(config.records());
    this.embeddingRecords = new EmbeddingRecords(config.topics().embeddings(),
        codecs.forTopic(EmbeddingRecord.class, config.topics().embeddings()),
        ModelPublisher.configHash(spec.configJson()));
    this.deadLetters = DeadLetters.of(config);
    this.maxKeys = config.model().maxKeys();
    this.maxPendingBytes = config.limits().maxPendingBytes();
    this.maxRejectedSteps = config.limits().maxRejectedSteps();
    this.publisher = new ModelPublisher(config.publish().modelStore(),
        config.topics().checkpoints(),
        codecs.forTopic(CheckpointRecord.class, config.topics().checkpoints()), spec);
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    TaskInfo task = getRuntimeContext().getTaskInfo();
    keyCap = new ModelKeyCap(maxKeys, task.getMaxNumberOfParallelSubtasks(),
        task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask());
    admittedPerKeyGroup = context.getOperatorStateStore()
        .getUnionListState(LearnerStateDescriptors.admittedPerKeyGroup());
    if (context.isRestored()) {
      keyCap.restore(admittedPerKeyGroup.get());
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    admittedPerKeyGroup.update(keyCap.counts());
  }

  @Override
  public void open(OpenContext context) {
    // the first learner on a TaskManager loads ND4J here; limits the cluster set are kept
    NativeMemory.configure();
    learner = spec.learner();
    examples = spec.examples();
    learnerState = getRuntimeContext().getState(LearnerStateDescriptors.learner());
    legacyLearnerState = getRuntimeContext().getState(spec.legacyLearnerState());
    pending = getRuntimeContext().getListState(spec.pendingBatch());
    pendingCount = getRuntimeContext().getState(LearnerStateDescriptors.pendingCount());
    pendingBytes = getRuntimeContext().getState(LearnerStateDescriptors.pendingBytes());
    batchDeadline = getRuntimeContext().getState(LearnerStateDescriptors.batchDeadline());
    published = getRuntimeContext().getState(LearnerStateDescriptors.published());
    admitted = getRuntimeContext().getState(LearnerStateDescriptors.admitted());
    rejectedSteps = getRuntimeContext().getState(LearnerStateDescriptors.rejectedSteps());
    metrics = new HashMap<>();
    deadLetterCount = getRuntimeContext().getMetricGroup().counter("deadLetters");
    getRuntimeContext().getMetricGroup().gauge("modelKeys", (Gauge<Integer>) keyCap::admitted);
  }

  @Override
  public void processElement(I in, Context ctx, Collector<KafkaOutput> out) throws Exception {
    if (!admit(ctx.getCurrentKey())) {
      deadLetterCount.inc();
      out.collect(deadLetters.of(in.sourceTopic, in.sourcePartition, in.sourceOffset,
          keyCap.refusal(ctx.getCurrentKey()), ctx.timerService().currentProcessingTime()));
      return;
    }
    pending.add(in);
    int count = pendingCount.value() == null ? 1 : pendingCount.value() + 1;
    long bytes = (pendingBytes.value() == null ? 0 : pendingBytes.value()) + in.sizeBytes();
    // a batch of large records closes before B: its records travel through state and the step
    if (count >= spec.batchSize() || bytes >= maxPendingBytes) {
      Long deadline = batchDeadline.value();
      if (deadline != null) {
        ctx.timerService().deleteProcessingTimeTimer(deadline);
      }
      trainOnPending(ctx.getCurrentKey(), ctx.timerService().currentProcessingTime(), out);
      return;
    }
    pendingCount.update(count);
    pendingBytes.update(bytes);
    if (count == 1) {
      long deadline = ctx.timerService().currentProcessingTime() + batchTimeoutMillis;
      batchDeadline.update(deadline);
      ctx.timerService().registerProcessingTimeTimer(deadline);
    }
  }

  /** A slow stream: the micro-batch timed out before it filled. */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<KafkaOutput> out)
      throws Exception {
    Long deadline = batchDeadline.value();
    if (deadline != null && deadline == timestamp) {
      trainOnPending(ctx.getCurrentKey(), timestamp, out);
    }
  }

  private void trainOnPending(String modelId, long now, Collector<KafkaOutput> out)
      throws Exception {
    List<I> inputs = new ArrayList<>();
    pending.get().forEach(inputs::add);
    pending.clear();
    pendingCount.clear();
    pendingBytes.clear();
    batchDeadline.clear();
    if (inputs.isEmpty()) {
      return;
    }
    LearnerState state = currentState();
    state = state == null ? learner.initialState() : state;
    List<X> batch = inputs.stream().map(examples).toList();
    int rejected = rejectedSteps.value() == null ? 0 : rejectedSteps.value();
    ModelMetrics metrics = metricsOf(modelId);
    metrics.stopped(rejected >= maxRejectedSteps);
    if (rejected >= maxRejectedSteps) {
      // training stopped: the model stays as it is, its records still get their embeddings
      emitEmbeddings(modelId, inputs, learner.outputs(state, batch), published.value(), now, out);
      return;
    }
    StepResult result = learner.step(state, Batch.of(batch));
    learnerState.update(result.state());
    if (result.rejected()) {
      rejectedSteps.update(rejected + 1);
      metrics.rejected(result.rejection(), rejected + 1 >= maxRejectedSteps);
      emitEmbeddings(modelId, inputs, result.outputs(), published.value(), now, out);
      return;
    }
    rejectedSteps.clear();
    metrics.record(result.metrics(), inputs.size());
    PublishedModel last = maybePublish(modelId, result, now, out);
    emitEmbeddings(modelId, inputs, result.outputs(), last, now, out);
  }

  /**
   * Whether the current key may train: once admitted always; a key seen for the first time if
   * the subtask has room under {@code model.maxKeys}, or if it trained before the cap was kept
   * (its state came from an older savepoint) - such a key is counted, never refused.
   */
  private boolean admit(String modelId) throws Exception {
    if (admitted.value() != null) {
      return true;
    }
    boolean trainedBefore = learnerState.value() != null || legacyLearnerState.value() != null;
    if (!trainedBefore && !keyCap.hasRoom()) {
      return false;
    }
    keyCap.count(modelId);
    admitted.update(true);
    return true;
  }

  /**
   * The key's learner state; after a restore from a savepoint of the job before the one learner
   * frame, the state it kept under its old name, moved to the current one.
   */
  private LearnerState currentState() throws Exception {
    LearnerState state = learnerState.value();
    if (state == null) {
      state = legacyLearnerState.value();
      if (state != null) {
        legacyLearnerState.clear(); // the step's result is written under the current name
      }
    }
    return state;
  }

  private PublishedModel maybePublish(String modelId, StepResult result, long now,
      Collector<KafkaOutput> out) throws Exception {
    PublishedModel last = published.value();
    long step = result.state().step();
    boolean due = last == null
        ? step >= publishEverySteps
        : step - last.step >= publishEverySteps || now - last.publishedAtMillis
            >= publishIntervalMillis;
    if (!due) {
      return last;
    }
    ModelPublisher.Published p = publisher.publish(modelId, result.state(), step,
        result.metrics(), now);
    published.update(p.model());
    out.collect(p.announcement());
    return p.model();
  }

  /**
   * Each input's embeddings; an input with a non-finite one (a record the model cannot embed,
   * such as one whose values are not numbers) is a dead letter instead, once.
   */
  private void emitEmbeddings(String modelId, List<I> inputs, List<Output> outputs,
      PublishedModel checkpoint, long now, Collector<KafkaOutput> out) {
    Set<Integer> unembeddable = new HashSet<>();
    for (Output o : outputs) {
      if (!allFinite(o.embedding().vector()) && unembeddable.add(o.input())) {
        I in = inputs.get(o.input());
        deadLetterCount.inc();
        out.collect(deadLetters.of(in.sourceTopic, in.sourcePartition, in.sourceOffset,
            "record " + in.id + " has a non-finite embedding under model " + modelId
                + " (version " + o.embedding().modelVersion() + "): its content is not usable",
            now));
      }
    }
    for (Output o : outputs) {
      if (!unembeddable.contains(o.input())) {
        out.collect(embeddingRecords.of(modelId, o.id(), modality(o.kind()),
            inputs.get(o.input()), o.embedding(), checkpoint == null ? null : checkpoint.sha256,
            now));
      }
    }
  }

  private static boolean allFinite(float[] vector) {
    for (float v : vector) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  private static Modality modality(Output.Kind kind) {
    return switch (kind) {
      case IMAGE -> Modality.IMAGE;
      case TEXT -> Modality.TEXT;
    };
  }

  private ModelMetrics metricsOf(String modelId) {
    return metrics.computeIfAbsent(modelId,
        id -> new ModelMetrics(getRuntimeContext().getMetricGroup(), id));
  }
}
