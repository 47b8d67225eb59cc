package dev.contraflow.job.learner;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.EmbeddingKind;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.encoder.NativeMemory;
import dev.contraflow.encoder.NativeThreads;
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
import dev.contraflow.io.image.LabelledImages;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.NonFiniteGuard;
import dev.contraflow.learn.Output;
import dev.contraflow.learn.PairExample;
import dev.contraflow.learn.SentenceExample;
import dev.contraflow.learn.StepMetrics;
import dev.contraflow.learn.StepResult;
import java.io.IOException;
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
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learner of each model key (modelId) of one kind ({@link ModelSpec}: images, sentences or
 * image-text pairs). Records are buffered in keyed state until the micro-batch holds B of them,
 * or {@code limits.maxPendingBytes} of them, or {@code job.batchTimeout} of processing time has
 * passed since its first record. Then every record gets its embedding (a pair: one per tower) from
 * the model as the micro-batches before it left it - the momentum encoder, for methods that have
 * one - tagged with that model's version (its step), emitted at once; then the micro-batch trains:
 * its first update at once, each further one in a processing-time timer of its own ({@link
 * Learner#begin}, {@link Learner#update}, {@link Learner#finish}), so that a checkpoint barrier
 * waits for one update, not for all of them (issue 20). The key's state after each update is in
 * keyed state with the plan of the rest, so a snapshot between two updates restores exactly.
 *
 * <p>An update the learner rejects as non-finite leaves the key's state as the update before it
 * left it and drops the micro-batch's remaining updates; after {@code limits.maxRejectedSteps}
 * rejections in a row the key stops training (metric {@code trainingStopped}) and only embeds, and
 * the job goes on.
 *
 * <p>Refreshed embeddings (issue 13, {@code refresh.*}): each key keeps a {@link LiveSet}, the
 * latest input of each id it embedded. A due checkpoint must pass the {@link PublishGate}s (else
 * it is announced REJECTED and the previous version stays current); once published, it
 * re-embeds the live set - {@code refresh.chunk} records per processing-time timer, so micro-batches
 * keep being trained in between - as embeddings of kind REFRESH, then announces the version
 * COMPLETE with their count. A newer publish supersedes a refresh still under way (that version
 * never completes). The refresh's progress and model are keyed state too, so a restore resumes it
 * where the committed output stopped: no id twice, none missed.
 *
 * <p>End of input (a bounded replay, {@code kafka.stoppingOffsets}, or a stop with drain): the
 * end-of-time watermark fires each key's event-time timer at {@link Long#MAX_VALUE}, registered
 * with its records. Processing-time timers no longer fire then, so the key embeds and trains on
 * its last partial micro-batch there (every update left, at once), publishes the model it ends
 * with (through the gates) and finishes any refresh under way, before the job's final checkpoint
 * commits it all.
 *
 * <p>All learner state lives in keyed state and is replaced by fresh immutable values after each
 * step, so a Flink checkpoint holds each learner consistent with the Kafka offsets and with the
 * embeddings already committed: a restore continues from exactly the parameters, queue and RNG an
 * uninterrupted run would have had.
 */
public final class LearnerFunction<I extends KeyedInput, X>
    extends KeyedProcessFunction<String, I, KafkaOutput> implements CheckpointedFunction {

  private static final Logger LOG = LoggerFactory.getLogger(LearnerFunction.class);

  /** The event-time timer the end-of-time watermark fires at the end of input. */
  private static final long END_OF_INPUT = Long.MAX_VALUE;

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
  private final JobConfig.Refresh refresh;
  private final PublishGate gate;
  private final LabelledProbe probe;

  private transient Learner<X> learner;
  private transient Function<I, X> examples;
  private transient ValueState<LearnerState> learnerState;
  /** The state of a savepoint written before the one learner frame; moved on first use. */
  private transient ValueState<LearnerState> legacyLearnerState;
  private transient ListState<I> pending;
  private transient ValueState<Integer> pendingCount;
  private transient ValueState<Long> pendingBytes;
  private transient ValueState<Long> batchDeadline;
  private transient ListState<I> training;
  private transient ValueState<UpdateProgress> updateProgress;
  private transient ValueState<PublishedModel> published;
  private transient Map<String, ModelMetrics> metrics;
  private transient ValueState<Boolean> admitted;
  private transient ValueState<Integer> rejectedSteps;
  private transient ListState<Tuple2<Integer, Integer>> admittedPerKeyGroup;
  private transient ModelKeyCap keyCap;
  private transient Counter deadLetterCount;
  private transient ValueState<PublishedModel> attempted;
  private transient LiveSet<I> liveSet;
  private transient ValueState<RefreshProgress> refreshProgress;
  /**
   * Where a savepoint of a job before issue 20's refresh change kept the refresh's model: read
   * when a restored refresh resumes, never written.
   */
  private transient ValueState<LearnerState> legacyRefreshModel;
  /**
   * The model each key's refresh under way embeds with, on this subtask: not keyed state, which
   * every checkpoint taken while a refresh runs would write again (the networks, ~20 MB by
   * default); after a restore it is read back from the model store ({@link #refreshModelOf}).
   */
  private transient Map<String, LearnerState> refreshModels;
  private transient ListState<I> gateSample;
  private transient ValueState<Integer> gateSampleCount;
  private transient ValueState<GateFigures> gateBaseline;
  private transient Counter checkpointsRejected;
  private transient Counter refreshEmbeddings;
  private transient Counter refreshesCompleted;
  private transient Counter refreshesSuperseded;
  private transient Counter refreshesAbandoned;
  /**
   * The figures of each key's latest step on this subtask, for the publish at the end of input
   * when no partial batch is left to train; not state: a key restored with no step since has
   * nothing new to publish that its checkpoint would not already hold.
   */
  private transient Map<String, StepMetrics> lastSteps;
  /** The labelled probe's images as the learner's records, or null: no probe gates this kind. */
  private transient List<X> probeExamples;
  private transient int[] probeLabels;

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
    this.refresh = config.refresh();
    this.gate = new PublishGate(config.publish().gates());
    this.probe = new LabelledProbe(config);
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
    NativeThreads.configure();
    learner = spec.learner();
    examples = spec.examples();
    learnerState = getRuntimeContext().getState(LearnerStateDescriptors.learner());
    legacyLearnerState = getRuntimeContext().getState(spec.legacyLearnerState());
    pending = getRuntimeContext().getListState(spec.pendingBatch());
    pendingCount = getRuntimeContext().getState(LearnerStateDescriptors.pendingCount());
    pendingBytes = getRuntimeContext().getState(LearnerStateDescriptors.pendingBytes());
    batchDeadline = getRuntimeContext().getState(LearnerStateDescriptors.batchDeadline());
    training = getRuntimeContext().getListState(spec.trainingBatch());
    updateProgress = getRuntimeContext().getState(LearnerStateDescriptors.updateProgress());
    published = getRuntimeContext().getState(LearnerStateDescriptors.published());
    admitted = getRuntimeContext().getState(LearnerStateDescriptors.admitted());
    rejectedSteps = getRuntimeContext().getState(LearnerStateDescriptors.rejectedSteps());
    attempted = getRuntimeContext().getState(LearnerStateDescriptors.publishAttempt());
    liveSet = new LiveSet<>(refresh, getRuntimeContext(), spec.liveSet());
    refreshProgress = getRuntimeContext().getState(LearnerStateDescriptors.refreshProgress());
    legacyRefreshModel = getRuntimeContext().getState(LearnerStateDescriptors.refreshModel());
    refreshModels = new HashMap<>();
    gateSample = getRuntimeContext().getListState(spec.gateSample());
    gateSampleCount = getRuntimeContext().getState(LearnerStateDescriptors.gateSampleCount());
    gateBaseline = getRuntimeContext().getState(LearnerStateDescriptors.gateBaseline());
    metrics = new HashMap<>();
    lastSteps = new HashMap<>();
    deadLetterCount = getRuntimeContext().getMetricGroup().counter("deadLetters");
    checkpointsRejected = getRuntimeContext().getMetricGroup().counter("checkpointsRejected");
    refreshEmbeddings = getRuntimeContext().getMetricGroup().counter("refreshEmbeddings");
    refreshesCompleted = getRuntimeContext().getMetricGroup().counter("refreshesCompleted");
    refreshesSuperseded = getRuntimeContext().getMetricGroup().counter("refreshesSuperseded");
    refreshesAbandoned = getRuntimeContext().getMetricGroup().counter("refreshesAbandoned");
    getRuntimeContext().getMetricGroup().gauge("modelKeys", (Gauge<Integer>) keyCap::admitted);
    openProbe();
  }

  /**
   * Loads the labelled probe once per operator instance, when one is configured and this kind
   * of model takes it. A probe that cannot be read fails the task with the setting to fix: a
   * safety gate is not switched off quietly.
   */
  private void openProbe() {
    if (!gate.enabled() || !probe.configured() || spec.probeExamples(List.of()) == null) {
      return;
    }
    LabelledImages images;
    try {
      images = probe.load();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("publish.gates.probe cannot be read: " + e.getMessage()
          + "; give labelled images every task manager can read (an IDX images file with its "
          + "labels beside it) or a topic whose records carry a \"label\" attribute, or turn "
          + "the probe off with publish.gates.probe.images=\"\" and topic=\"\"", e);
    }
    if (images.size() < 2) {
      throw new IllegalStateException("publish.gates.probe holds " + images.size()
          + " labelled image(s): the kNN accuracy needs at least a bank image and a query");
    }
    probeExamples = spec.probeExamples(images.images());
    probeLabels = images.labels();
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
    // one timer per key and timestamp: registering it again is a no-op
    ctx.timerService().registerEventTimeTimer(END_OF_INPUT);
    offerToGateSample(in);
    int count = pendingCount.value() == null ? 1 : pendingCount.value() + 1;
    long bytes = (pendingBytes.value() == null ? 0 : pendingBytes.value()) + in.sizeBytes();
    // a batch of large records closes before B: its records travel through state and the step
    if (count >= spec.batchSize() || bytes >= maxPendingBytes) {
      Long deadline = batchDeadline.value();
      RefreshProgress r = refreshProgress.value();
      UpdateProgress u = updateProgress.value();
      // one timer per timestamp and key: a refresh's or an update's tick may share the deadline's
      if (deadline != null && (r == null || r.tick != deadline)
          && (u == null || u.tick != deadline)) {
        ctx.timerService().deleteProcessingTimeTimer(deadline);
      }
      closeMicroBatch(ctx.getCurrentKey(), ctx.timerService().currentProcessingTime(),
          ctx.timerService(), false, out);
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

  /**
   * A slow stream: the micro-batch timed out before it filled. Or the next update of the
   * micro-batch under training. Or a refresh's next chunk. Or the end of input.
   */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<KafkaOutput> out)
      throws Exception {
    if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
      endOfInput(ctx.getCurrentKey(), ctx.timerService(), out);
      return;
    }
    Long deadline = batchDeadline.value();
    if (deadline != null && deadline == timestamp) {
      closeMicroBatch(ctx.getCurrentKey(), timestamp, ctx.timerService(), false, out);
    }
    UpdateProgress u = updateProgress.value();
    if (u != null && u.tick == timestamp) {
      takeUpdates(ctx.getCurrentKey(), ctx.timerService(), false, false, out);
    }
    RefreshProgress r = refreshProgress.value();
    if (r != null && r.tick == timestamp) {
      refreshChunk(ctx.getCurrentKey(), r, ctx.timerService(), out);
    }
  }

  /**
   * The key's input has ended: its last partial micro-batch is embedded and trained on (its
   * batch-timeout timer and the update timers will not fire any more), the model it ends with is
   * published if it is newer than the last attempt, and a refresh under way runs to its COMPLETE
   * record.
   */
  private void endOfInput(String modelId, TimerService timers, Collector<KafkaOutput> out)
      throws Exception {
    long now = timers.currentProcessingTime();
    if (pendingCount.value() != null) {
      closeMicroBatch(modelId, now, timers, true, out);
    } else if (updateProgress.value() != null) {
      takeUpdates(modelId, timers, true, true, out);
    } else {
      publishLastStep(modelId, now, timers, out);
    }
    for (RefreshProgress r = refreshProgress.value(); r != null; r = refreshProgress.value()) {
      refreshChunk(modelId, r, timers, out);
    }
  }

  /** At the end of input: the model of the key's latest step on this subtask, if it is new. */
  private void publishLastStep(String modelId, long now, TimerService timers,
      Collector<KafkaOutput> out) throws Exception {
    LearnerState state = learnerState.value();
    StepMetrics last = lastSteps.get(modelId);
    if (state != null && last != null && last.step() == state.step()) {
      maybePublish(modelId, state, last, now, timers, true, out);
    }
  }

  /**
   * The pending micro-batch closes. Its records are embedded by the model as it stands - after
   * every update of the micro-batches before this one, none of its own - and emitted at once;
   * then it takes its first update, and each further one in a processing-time timer of its own
   * ({@link #takeUpdates}), so that checkpoint barriers and new records pass between them: a
   * barrier waits for one update at most, not for a micro-batch's eight, and the embeddings
   * before it are committed by its checkpoint. A micro-batch that closes while the updates of the
   * one before are still under way first takes those, on the spot: the updates run in the order
   * of the micro-batches, as {@link Learner#step} would run them.
   *
   * @param endOfInput whether no record follows: every update is taken now, and the model is then
   *     published if it is new
   */
  private void closeMicroBatch(String modelId, long now, TimerService timers, boolean endOfInput,
      Collector<KafkaOutput> out) throws Exception {
    List<I> inputs = new ArrayList<>();
    pending.get().forEach(inputs::add);
    pending.clear();
    pendingCount.clear();
    pendingBytes.clear();
    batchDeadline.clear();
    if (inputs.isEmpty()) {
      return;
    }
    takeUpdates(modelId, timers, true, false, out);
    LearnerState state = currentState();
    state = state == null ? learner.initialState() : state;
    List<X> batch = inputs.stream().map(examples).toList();
    List<Output> outputs = learner.outputs(state, batch);
    emitEmbeddings(modelId, inputs, outputs, remember(inputs, outputs, now), published.value(),
        now, out);
    int rejected = rejectedSteps.value() == null ? 0 : rejectedSteps.value();
    metricsOf(modelId).stopped(rejected >= maxRejectedSteps);
    if (rejected >= maxRejectedSteps) {
      learnerState.update(state); // training stopped: the model stays as it is
      return;
    }
    Learner.Begun begun = learner.begin(state, batch);
    learnerState.update(begun.state());
    training.update(inputs);
    updateProgress.update(new UpdateProgress(begun.plan(), 0, now));
    takeUpdates(modelId, timers, endOfInput, endOfInput, out);
  }

  /**
   * The next update of the micro-batch under training, or with {@code all} every one left; after
   * its last, the micro-batch enters the replay buffer and the model is published when due.
   * Nothing when no micro-batch is under training. An update the learner rejects as non-finite
   * ends the micro-batch's training there: the key keeps the state before it.
   */
  private void takeUpdates(String modelId, TimerService timers, boolean all, boolean endOfInput,
      Collector<KafkaOutput> out) throws Exception {
    UpdateProgress progress = updateProgress.value();
    if (progress == null) {
      return;
    }
    List<X> batch = new ArrayList<>();
    training.get().forEach(in -> batch.add(examples.apply(in)));
    Learner.StepPlan plan = progress.plan();
    LearnerState state = learnerState.value();
    StepResult last = null;
    int done = progress.done;
    while (done < plan.updates() && (all || last == null)) {
      StepResult r = learner.update(state, batch, plan, done);
      if (r.rejected()) {
        rejectUpdate(modelId, r, state);
        return;
      }
      state = r.state();
      last = r;
      done++;
    }
    long now = timers.currentProcessingTime();
    if (done < plan.updates()) {
      learnerState.update(state);
      UpdateProgress next = progress.advanced(done, now + 1);
      updateProgress.update(next);
      timers.registerProcessingTimeTimer(next.tick);
      return;
    }
    state = learner.finish(state, batch, plan);
    learnerState.update(state);
    training.clear();
    updateProgress.clear();
    if (last == null) {
      // a small micro-batch's update credit was not yet a whole update: the model did not move
      if (endOfInput) {
        publishLastStep(modelId, now, timers, out);
      }
      return;
    }
    rejectedSteps.clear();
    metricsOf(modelId).record(last.metrics(), batch.size());
    lastSteps.put(modelId, last.metrics());
    maybePublish(modelId, state, last.metrics(), now, timers, endOfInput, out);
  }

  /**
   * A non-finite update: the key keeps {@code before}, the state the update started from, and the
   * micro-batch's remaining updates are dropped (its records were embedded when it closed).
   */
  private void rejectUpdate(String modelId, StepResult r, LearnerState before) throws Exception {
    int rejected = (rejectedSteps.value() == null ? 0 : rejectedSteps.value()) + 1;
    rejectedSteps.update(rejected);
    metricsOf(modelId).rejected(r.rejection(), rejected >= maxRejectedSteps);
    learnerState.update(before);
    training.clear();
    updateProgress.clear();
  }

  /**
   * The inputs whose embeddings are not finite (dead letters); every other input becomes its
   * id's latest in the live set, before a checkpoint this step may publish re-embeds it.
   */
  private Set<Integer> remember(List<I> inputs, List<Output> outputs, long now) throws Exception {
    Set<Integer> unembeddable = new HashSet<>();
    for (Output o : outputs) {
      if (!NonFiniteGuard.allFinite(o.embedding().vector())) {
        unembeddable.add(o.input());
      }
    }
    if (refresh.enabled()) {
      RefreshProgress r = refreshProgress.value();
      for (int i = 0; i < inputs.size(); i++) {
        if (!unembeddable.contains(i)) {
          liveSet.put(inputs.get(i), now, r);
        }
      }
    }
    return unembeddable;
  }

  /** A model's first {@code publish.gates.sampleSize} records: the gates' fixed sample. */
  private void offerToGateSample(I in) throws Exception {
    if (!gate.enabled()) {
      return;
    }
    int n = gateSampleCount.value() == null ? 0 : gateSampleCount.value();
    if (n < gate.sampleSize()) {
      gateSample.add(in);
      gateSampleCount.update(n + 1);
    }
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

  /**
   * Publishes {@code state}, the model a step with {@code stepMetrics} left, when due - every
   * {@code publish.everySteps} or {@code publish.interval}, or at the end of input - and when it
   * passes the gates; otherwise it is announced REJECTED.
   */
  private PublishedModel maybePublish(String modelId, LearnerState state, StepMetrics stepMetrics,
      long now, TimerService timers, boolean endOfInput, Collector<KafkaOutput> out)
      throws Exception {
    PublishedModel last = published.value();
    // a rejected checkpoint counts as an attempt: the next one is due a period later
    PublishedModel since = attempted.value() != null ? attempted.value() : last;
    long step = state.step();
    boolean due = since == null
        ? step >= publishEverySteps || endOfInput
        : step - since.step >= publishEverySteps || now - since.publishedAtMillis
            >= publishIntervalMillis || endOfInput && step > since.step;
    if (!due) {
      return last;
    }
    PublishGate.Verdict verdict = gate.enabled()
        ? gate.judge(state, gateSampleEmbeddings(state), stepMetrics.alignment(),
            probeAccuracy(state), gateBaseline.value())
        : new PublishGate.Verdict(null, null);
    ModelPublisher.Published p = publisher.publish(modelId, state, step, stepMetrics,
        gateMetrics(verdict.figures()), verdict.rejection(), now);
    out.collect(p.announcement());
    attempted.update(p.model());
    if (!verdict.passed()) {
      checkpointsRejected.inc();
      return last;
    }
    published.update(p.model());
    if (verdict.figures() != null) {
      gateBaseline.update(verdict.figures());
    }
    startRefresh(modelId, state, p, timers);
    return p.model();
  }

  private float[][] gateSampleEmbeddings(LearnerState candidate) throws Exception {
    List<X> sample = new ArrayList<>();
    for (I in : gateSample.get()) {
      sample.add(examples.apply(in));
    }
    // an image-text record has two embeddings: the gate measures the first side's space
    List<Output> outputs = learner.outputs(candidate, sample);
    return outputs.stream().filter(o -> o.kind() == outputs.get(0).kind())
        .map(o -> o.embedding().vector()).toArray(float[][]::new);
  }

  /** The candidate's kNN accuracy on the labelled probe; NaN without one. */
  private double probeAccuracy(LearnerState candidate) {
    if (probeExamples == null || probeExamples.isEmpty()) {
      return Double.NaN;
    }
    List<Output> outputs = learner.outputs(candidate, probeExamples);
    return probe.accuracy(outputs.stream().map(o -> o.embedding().vector())
        .toArray(float[][]::new), probeLabels);
  }

  private static Map<String, Double> gateMetrics(GateFigures f) {
    if (f == null) {
      return Map.of();
    }
    Map<String, Double> m = new HashMap<>(Map.of("gate.stdRatio", f.stdRatio,
        "gate.sampleUniformity", f.uniformity));
    if (Double.isFinite(f.probeAccuracy)) {
      m.put("gate.probeAccuracy", f.probeAccuracy);
    }
    return m;
  }

  /**
   * The published checkpoint starts re-embedding the live set as it is now: every arrival
   * position before {@link LiveSet#next()}. A refresh still under way is superseded.
   */
  private void startRefresh(String modelId, LearnerState model, ModelPublisher.Published p,
      TimerService timers) throws Exception {
    if (!refresh.enabled()) {
      return;
    }
    if (refreshProgress.value() != null) {
      refreshesSuperseded.inc();
    }
    long tick = timers.currentProcessingTime() + 1;
    refreshProgress.update(new RefreshProgress(p.model().step, p.model().sha256, p.uri(),
        p.sizeBytes(), liveSet.oldest(), liveSet.next(), 0, tick));
    // only embeds: without the replay buffer it holds
    refreshModels.put(modelId, model.withReplay(null));
    legacyRefreshModel.clear(); // a superseded refresh's, restored from an older savepoint
    timers.registerProcessingTimeTimer(tick);
  }

  /**
   * The model the refresh under way embeds with: the one its publish left on this subtask, or
   * after a restore the published file read back from the model store (checked against its
   * SHA-256, the refresh's checkpoint id), or the one a savepoint of an older job kept in keyed
   * state. The store's file holds the same state bit for bit, so the embeddings are the same.
   * Null when the store lost or changed the file: the refresh cannot go on.
   */
  private LearnerState refreshModelOf(String modelId, RefreshProgress r) {
    LearnerState model = refreshModels.get(modelId);
    if (model != null && model.step() == r.version) {
      return model;
    }
    try {
      model = legacyRefreshModel.value();
      if (model == null) {
        model = publisher.read(r.uri, r.checkpointId).withReplay(null);
      }
    } catch (Exception e) {
      LOG.warn("model {}: refresh of version {} abandoned, its published model cannot be read"
          + " back after a restore: {}", modelId, r.version, e.getMessage());
      return null;
    }
    refreshModels.put(modelId, model);
    return model;
  }

  /**
   * The next {@code refresh.chunk} records of the live set, embedded by the refreshing version;
   * when none is left, the version's completion record.
   */
  private void refreshChunk(String modelId, RefreshProgress r, TimerService timers,
      Collector<KafkaOutput> out) throws Exception {
    long now = timers.currentProcessingTime();
    LearnerState model = refreshModelOf(modelId, r);
    if (model == null) {
      // a restart would fail the same way: the version stays incomplete (as a superseded one),
      // the next publish refreshes the live set again
      refreshProgress.clear();
      legacyRefreshModel.clear();
      refreshesAbandoned.inc();
      return;
    }
    LiveSet.Chunk<I> chunk = liveSet.chunk(r, refresh.chunk());
    List<X> batch = chunk.inputs().stream().map(examples).toList();
    List<Output> outputs = learner.outputs(model, batch);
    long emitted = r.emitted;
    for (Output o : outputs) {
      if (NonFiniteGuard.allFinite(o.embedding().vector())) {
        out.collect(embeddingRecords.of(modelId, o.id(), modality(o.kind()),
            chunk.inputs().get(o.input()), o.embedding(), r.checkpointId, EmbeddingKind.REFRESH,
            now));
        emitted++;
      }
    }
    refreshEmbeddings.inc(emitted - r.emitted);
    if (chunk.cursor() >= r.end) {
      out.collect(publisher.complete(modelId, r.advanced(chunk.cursor(), emitted, 0), now));
      refreshProgress.clear();
      refreshModels.remove(modelId);
      legacyRefreshModel.clear();
      refreshesCompleted.inc();
      return;
    }
    long tick = now + 1;
    refreshProgress.update(r.advanced(chunk.cursor(), emitted, tick));
    timers.registerProcessingTimeTimer(tick);
  }

  /**
   * Each input's embeddings; an input with a non-finite one (a record the model cannot embed,
   * such as one whose values are not numbers) is a dead letter instead, once.
   */
  private void emitEmbeddings(String modelId, List<I> inputs, List<Output> outputs,
      Set<Integer> unembeddable, PublishedModel checkpoint, long now,
      Collector<KafkaOutput> out) {
    Set<Integer> reported = new HashSet<>();
    for (Output o : outputs) {
      if (unembeddable.contains(o.input()) && reported.add(o.input())) {
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
