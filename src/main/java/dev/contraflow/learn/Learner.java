package dev.contraflow.learn;

import static dev.contraflow.learn.PhaseClock.Phase.EMBED;
import static dev.contraflow.learn.PhaseClock.Phase.STATE_COPY;

import dev.contraflow.augment.Rng;
import dev.contraflow.encoder.NativeMemory;
import dev.contraflow.io.image.Image;
import dev.contraflow.learn.method.ClipStep;
import dev.contraflow.learn.method.CpcStep;
import dev.contraflow.learn.method.ImageMethodStep;
import dev.contraflow.learn.method.MethodStep;
import dev.contraflow.learn.method.SimCseStep;
import dev.contraflow.learn.replay.ReplayBuffer;
import dev.contraflow.learn.replay.ReplayConfig;
import dev.contraflow.learn.replay.ReplaySchedule;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Online self-supervised learning, one frame for every modality and method: one training step per
 * micro-batch, by the {@link MethodStep} the configuration names - images (MoCo v2, SimCLR, MoCo
 * v3, BYOL, SimSiam, InstDisc, SwAV), sentences (SimCSE, ESimCSE, ConSERT) or image-text pairs
 * (CLIP).
 *
 * <p>{@code step(state, batch) -> (state', embeddings, metrics)} is a function of its inputs: the
 * learner keeps its DL4J networks only as scratch space and loads them from the state it is given.
 * The same state and batch always give the same result, whoever calls it - the Flink job, the
 * benchmark or a replay.
 *
 * <p>A step is: load the state into the method's networks; one update by the method (its views,
 * loss and optimiser steps); the embeddings of the batch by the updated model, if asked; the next
 * state captured from the networks; the metrics. One {@link PhaseClock} times every phase.
 *
 * <p>With replay ({@link ReplayConfig}, the same for every modality) a step on one incoming
 * micro-batch is {@code updatesPerBatch} such updates (a micro-batch smaller than B: as many
 * updates of B records as its update credit holds, possibly none, {@link ReplaySchedule#plan}),
 * each on the networks as the previous one left them (only its step, queue and logit scale are
 * passed on), on batches {@link ReplaySchedule} mixes from the incoming records and the buffer;
 * then one embedding per incoming record by the model after the last update, the state captured,
 * and the incoming records offered to the buffer, which the next state carries.
 * {@link ReplayConfig#NONE} is one update on the micro-batch as it came, without a buffer.
 *
 * <p>A step whose loss, gradients or new parameters are not finite is rejected
 * ({@link NonFiniteGuard}): its result keeps the state it started from and embeds the batch by
 * it, and says why ({@link StepResult#rejection}).
 *
 * <p>Not thread-safe.
 *
 * @param <I> one input record: {@link Image}, {@link SentenceExample} or {@link PairExample}
 */
public final class Learner<I> {

  private static final int EMBED_CHUNK = 500;

  private final MethodStep<I> method;
  private final ReplayConfig replay;
  /** The state the networks currently hold; a step from it needs no reload. */
  private LearnerState loaded;

  public Learner(MethodStep<I> method, ReplayConfig replay) {
    this.method = method;
    this.replay = replay;
  }

  /** The image learner of {@code config.method()}. */
  public static Learner<Image> images(LearnerConfig config) {
    return new Learner<>(ImageMethodStep.of(config), config.replay());
  }

  /**
   * The sentence learner (SimCSE, ESimCSE or ConSERT, as {@code config.method()} says; CPC with
   * its default settings, {@link CpcConfig#of}).
   */
  public static Learner<SentenceExample> sentences(SentenceLearnerConfig config) {
    if (config.method() == Method.CPC) {
      return cpc(CpcConfig.of(config));
    }
    return new Learner<>(new SimCseStep(config), config.replay());
  }

  /** CPC on ordered sentence streams. */
  public static Learner<SentenceExample> cpc(CpcConfig config) {
    return new Learner<>(new CpcStep(config), config.sentences().replay());
  }

  /** The image-text learner (CLIP). */
  public static Learner<PairExample> pairs(PairLearnerConfig config) {
    return new Learner<>(new ClipStep(config), config.replay());
  }

  /** B: records per training step, as configured. */
  public int batchSize() {
    return method.batchSize();
  }

  /** Step 0: fresh networks, an empty queue or bank where the method has one. */
  public LearnerState initialState() {
    return method.initialState();
  }

  /**
   * One incoming micro-batch: one update on it, or with replay {@code updatesPerBatch} updates on
   * batches that mix it with buffered records, after which its records enter the buffer. Either
   * way each record gets exactly one embedding (if the batch asks for them), from the model after
   * the last update.
   */
  public StepResult step(LearnerState state, Batch<I> batch) {
    // the step's arrays are scratch: the result holds only Java arrays and numbers
    try (NativeMemory.Step scratch = NativeMemory.step()) {
      StepResult taken = replay.enabled() ? replayStep(state, batch) : plainStep(state, batch);
      if (taken.updates() == 0) {
        return taken; // the model did not move: nothing new to check
      }
      String problem = NonFiniteGuard.problem(taken.metrics().loss(), taken.state());
      return problem == null ? taken : rejected(state, batch, taken.metrics(), problem);
    }
  }

  /**
   * A step {@link NonFiniteGuard} found non-finite: the state stays the one it started from, and
   * the batch's records are embedded by that state (so each still gets its one embedding).
   */
  private StepResult rejected(LearnerState state, Batch<I> batch, StepMetrics attempted,
      String problem) {
    load(state);
    List<Output> outputs = batch.emitEmbeddings()
        ? method.embed(batch.inputs(), state.step()) : List.of();
    return new StepResult(state, outputs, attempted, "step " + (state.step() + 1)
        + " rejected, the model stays at step " + state.step() + ": " + problem, 0);
  }

  private StepResult plainStep(LearnerState state, Batch<I> batch) {
    PhaseClock clock = new PhaseClock();
    load(state);
    Rng rng = new Rng(state.rngState());
    clock.lap(STATE_COPY);

    Trained t = update(state, List.of(batch.inputs()), rng, clock);
    List<Output> outputs = batch.emitEmbeddings()
        ? method.embed(batch.inputs(), t.version()) : List.of();
    clock.lap(EMBED);

    LearnerState next = t.captured(rng);
    loaded = next;
    clock.lap(STATE_COPY);
    return result(t.outcome(), next, outputs, batch.size(), clock, 1);
  }

  /**
   * The updates {@link ReplaySchedule} draws, one embedding per incoming record, and the buffer's
   * admission ({@link dev.contraflow.learn.replay.ReplayPolicy#MIN_REDUNDANCY} reads those
   * embeddings as the records' features). The schedule and the admission draw from their own
   * splits of the learner's random stream, so a restored state replays the same batches.
   */
  private StepResult replayStep(LearnerState state, Batch<I> batch) {
    PhaseClock clock = new PhaseClock();
    load(state);
    Rng rng = new Rng(state.rngState());
    Rng schedule = rng.split();
    Rng admission = rng.split();
    List<I> incoming = batch.inputs().stream().map(method::stored).toList();
    ReplayBuffer<I> buffer = buffer(state);
    int credit = state.replay() == null ? 0 : state.replay().updateCredit();
    clock.lap(STATE_COPY);

    ReplaySchedule.Plan<I> plan = ReplaySchedule.plan(incoming, buffer, replay,
        method.batchSize(), credit, schedule);
    // a small micro-batch whose credit is not yet a whole update: the model stays as it is
    Trained t = plan.batches().isEmpty() ? null : update(state, plan.batches(), rng, clock);
    long version = t == null ? state.step() : t.version();
    boolean needFeatures = replay.capacity() > 0 && replay.policy().usesFeatures();
    List<Output> outputs = batch.emitEmbeddings() || needFeatures
        ? method.embed(batch.inputs(), version) : List.of();
    clock.lap(EMBED);

    LearnerState next = t == null ? untrained(state, rng) : t.captured(rng);
    if (replay.capacity() > 0) {
      List<float[]> features = needFeatures ? features(outputs, incoming.size()) : List.of();
      next = admitted(next, buffer, incoming, features, admission, plan.credit());
    }
    loaded = next;
    clock.lap(STATE_COPY); // the buffer's admission is booked with the state it builds
    List<Output> emitted = batch.emitEmbeddings() ? outputs : List.of();
    if (t == null) {
      return new StepResult(next, emitted, untrainedMetrics(next, batch, clock), null, 0);
    }
    return result(t.outcome(), next, emitted, batch.size(), clock, plan.batches().size());
  }

  /**
   * The updates of one incoming micro-batch, to be taken one at a time ({@link #begin}, {@link
   * #update}, {@link #finish}): a caller that must stay responsive between updates (the Flink
   * job: its checkpoint barriers and new records wait behind whatever runs on the operator's
   * thread) takes one update per unit of work, and may snapshot the state between any two. Taken
   * in order, the three give exactly the state {@link #step} gives for the same micro-batch.
   * Numbers only, so that a caller can keep it beside the state and the micro-batch's records.
   *
   * @param schedule the random state {@link ReplaySchedule} draws the update batches from
   * @param admission the random state the replay buffer's admission draws from
   * @param updates the updates the micro-batch takes (possibly none: see {@link StepResult})
   */
  public record StepPlan(long schedule, long admission, int updates) {}

  /**
   * A micro-batch's step begun: the state the first update starts from and its plan.
   *
   * @param state the state with the random stream moved past the plan's draws; the model has not
   *     moved
   */
  public record Begun(LearnerState state, StepPlan plan) {}

  /**
   * The first part of {@link #step} on {@code batch}: which updates it takes, drawn as {@link
   * #step} draws them. No update and no embedding yet: a caller that embeds the micro-batch does
   * so from {@code state}, before the updates ({@link #outputs}).
   */
  public Begun begin(LearnerState state, List<I> batch) {
    if (!replay.enabled()) {
      return new Begun(state, new StepPlan(0, 0, 1));
    }
    Rng rng = new Rng(state.rngState());
    Rng schedule = rng.split();
    Rng admission = rng.split();
    StepPlan plan = new StepPlan(schedule.state(), admission.state(), 0);
    plan = new StepPlan(plan.schedule(), plan.admission(),
        schedule(state, batch, plan).batches().size());
    LearnerState next = untrained(state, rng);
    if (loaded == state) {
      loaded = next; // the same networks
    }
    return new Begun(next, plan);
  }

  /**
   * Update {@code u} of a begun step (0-based, in order), from {@code state}: the state {@link
   * #begin} gave for the first, the previous update's for the others. Its result holds the state
   * after it, captured in full (so a snapshot between two updates restores exactly), no outputs,
   * and the update's metrics; an update whose loss or new state is not finite is rejected, and
   * its result keeps {@code state}.
   */
  public StepResult update(LearnerState state, List<I> batch, StepPlan plan, int u) {
    if (u < 0 || u >= plan.updates()) {
      throw new IllegalArgumentException("update " + u + " of a step of " + plan.updates());
    }
    try (NativeMemory.Step scratch = NativeMemory.step()) {
      PhaseClock clock = new PhaseClock();
      load(state);
      Rng rng = new Rng(state.rngState());
      List<I> updateBatch = replay.enabled()
          ? schedule(state, batch, plan).batches().get(u) : batch;
      clock.lap(STATE_COPY);
      Trained t = update(state, List.of(updateBatch), rng, clock);
      LearnerState next = t.captured(rng);
      loaded = next;
      clock.lap(STATE_COPY);
      StepResult taken = result(t.outcome(), next, List.of(), updateBatch.size(), clock, 1);
      String problem = NonFiniteGuard.problem(taken.metrics().loss(), next);
      return problem == null ? taken : new StepResult(state, List.of(), taken.metrics(),
          "update " + (u + 1) + " of " + plan.updates() + " (step " + next.step()
              + ") rejected, the model stays at step " + state.step() + ": " + problem, 0);
    }
  }

  /**
   * The end of a begun step, after its last update ({@code state} is that update's, or {@link
   * #begin}'s when it took none): the micro-batch's records offered to the replay buffer, and the
   * update credit it leaves. The state {@link #step} would have left.
   */
  public LearnerState finish(LearnerState state, List<I> batch, StepPlan plan) {
    if (!replay.enabled() || replay.capacity() == 0) {
      return state;
    }
    List<I> incoming = batch.stream().map(method::stored).toList();
    List<float[]> features = List.of();
    if (replay.policy().usesFeatures()) {
      // the buffer reads the records as the model after the updates sees them, as in a step
      features = features(outputs(state, batch), incoming.size());
    }
    ReplaySchedule.Plan<I> p = schedule(state, batch, plan);
    LearnerState next = admitted(state, buffer(state), incoming, features,
        new Rng(plan.admission()), p.credit());
    if (loaded == state) {
      loaded = next;
    }
    return next;
  }

  /** The update batches of a begun step, drawn again from its plan's random state. */
  private ReplaySchedule.Plan<I> schedule(LearnerState state, List<I> batch, StepPlan plan) {
    List<I> incoming = batch.stream().map(method::stored).toList();
    int credit = state.replay() == null ? 0 : state.replay().updateCredit();
    return ReplaySchedule.plan(incoming, buffer(state), replay, method.batchSize(), credit,
        new Rng(plan.schedule()));
  }

  /**
   * {@code next} with the micro-batch's records offered to {@code buffer} (its admission drawn
   * from {@code admission}) and the update credit the micro-batch leaves.
   */
  private LearnerState admitted(LearnerState next, ReplayBuffer<I> buffer, List<I> incoming,
      List<float[]> features, Rng admission, int credit) {
    return next.withReplay(new LearnerState.Replay<>(method.replayInputs(), buffer.offer(incoming,
        features, replay, method.replayInputs().sizeOf(), admission), credit));
  }

  private ReplayBuffer<I> buffer(LearnerState state) {
    return state.replay() == null ? ReplayBuffer.empty()
        : state.replay().buffer(method.replayInputs());
  }

  /** The state a step without an update leaves: the same model, the random stream moved on. */
  private static LearnerState untrained(LearnerState state, Rng rng) {
    return new LearnerState(state.step(), rng.state(), state.networks(), state.queue(),
        state.logitScale(), state.replay());
  }

  /** A step without an update has no loss or geometry to report: NaN, its time booked. */
  private static StepMetrics untrainedMetrics(LearnerState next, Batch<?> batch,
      PhaseClock clock) {
    return new StepMetrics(next.step(), Double.NaN, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN, Double.NaN, next.queueFill(), next.queueMeanAge(),
        batch.size() * 1e9 / clock.elapsedNanos(), clock.timings(), Map.of());
  }

  /**
   * The networks after the last of a step's updates, not yet captured.
   *
   * @param before the state the last update started from
   * @param outcome the last update's outcome
   */
  private record Trained(LearnerState before, MethodStep.Outcome outcome, Networks networks) {

    /** The model version after the update. */
    long version() {
      return before.step() + 1;
    }

    /** The state after the update: the networks copied out, the random stream where it is. */
    LearnerState captured(Rng rng) {
      return new LearnerState(version(), rng.state(), networks.capture(), outcome.queue(),
          outcome.logitScale(), before.replay());
    }

    /**
     * What the next update of the same step reads: the step, queue and logit scale after this
     * update. The parameters stay in the live networks; copying them out after every update
     * (megabytes each, 7 times a micro-batch by default) would only make heap garbage, so the
     * map is the step's first one, never loaded from (see {@link #update}).
     */
    LearnerState between(Rng rng) {
      return new LearnerState(version(), rng.state(), before.networks(), outcome.queue(),
          outcome.logitScale(), before.replay());
    }
  }

  /**
   * One update per batch, each on the networks as the previous one left them; between updates
   * the next reads the step, queue and logit scale of the one before ({@link Trained#between}).
   * The last is left in the networks: the caller embeds, then captures.
   */
  private Trained update(LearnerState state, List<List<I>> batches, Rng rng, PhaseClock clock) {
    loaded = null; // the networks are about to hold no captured state (until the caller's capture)
    Trained t = null;
    for (int u = 0; u < batches.size(); u++) {
      LearnerState from = state;
      if (t != null) {
        from = t.between(rng);
        clock.lap(STATE_COPY);
      }
      // every update but the last in scratch of its own, which the next reuses (between updates
      // only Java state passes on); the last one's arrays stay, its outcome is read after it
      boolean last = u == batches.size() - 1;
      try (NativeMemory.Step scratch = last ? null : NativeMemory.update()) {
        t = new Trained(from, method.train(new MethodStep.Input<>(from, batches.get(u), rng),
            clock), method.networks());
      }
    }
    return t;
  }

  private StepResult result(MethodStep.Outcome o, LearnerState next, List<Output> outputs,
      int records, PhaseClock clock, int updates) {
    return new StepResult(next, outputs,
        StepMetrics.of(next, o.loss(), o.positiveSimilarity(), o.negativeSimilarity(), o.q(),
            o.k(), records * 1e9 / clock.elapsedNanos(), clock.timings(),
            o.methodMetrics()), null, updates);
  }

  /**
   * One feature vector per incoming record for the buffer: its embeddings end to end (an
   * image-text pair's image, then its caption: their cosine is the mean of the two sides').
   */
  private static List<float[]> features(List<Output> outputs, int records) {
    float[][] f = new float[records][0];
    for (Output out : outputs) {
      float[] v = out.embedding().vector();
      float[] joined = Arrays.copyOf(f[out.input()], f[out.input()].length + v.length);
      System.arraycopy(v, 0, joined, f[out.input()].length, v.length);
      f[out.input()] = joined;
    }
    return Arrays.asList(f);
  }

  /**
   * The outputs of the given records by the state's model, without training: one per image or
   * sentence (by the momentum encoder for methods that have one), one per side of an image-text
   * record.
   */
  public List<Output> outputs(LearnerState state, List<I> inputs) {
    if (inputs.isEmpty()) {
      return List.of();
    }
    try (NativeMemory.Step scratch = NativeMemory.step()) {
      load(state);
      return method.embed(inputs, state.step());
    }
  }

  /** The embeddings of the given records, in order (see {@link #outputs}). */
  public List<Embedding> embed(LearnerState state, List<I> inputs) {
    return outputs(state, inputs).stream().map(Output::embedding).toList();
  }

  /**
   * The vectors of any number of records, embedded a few hundred at a time (bounded memory); one
   * row per record, so an image-text record must carry one side only.
   */
  public float[][] embedAll(LearnerState state, List<I> inputs) {
    return Embedding.vectorsInChunks(inputs, EMBED_CHUNK, chunk -> embed(state, chunk));
  }

  private void load(LearnerState state) {
    if (state == loaded) {
      return; // the networks already hold exactly this state
    }
    method.networks().load(state);
    loaded = state;
  }
}
