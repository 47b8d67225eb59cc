package dev.contraflow.learn;

import static dev.contraflow.learn.PhaseClock.Phase.EMBED;
import static dev.contraflow.learn.PhaseClock.Phase.STATE_COPY;

import dev.contraflow.augment.Rng;
import dev.contraflow.encoder.NativeMemory;
import dev.contraflow.io.Image;
import dev.contraflow.learn.method.ClipStep;
import dev.contraflow.learn.method.ImageMethodStep;
import dev.contraflow.learn.method.MethodStep;
import dev.contraflow.learn.method.SimCseStep;
import java.util.List;

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
 * <p>{@link MethodStep#train} is one optimiser update on the records it is given, for every
 * modality; {@code step} calls it once on the incoming micro-batch. Several updates per incoming
 * micro-batch (a replay buffer mixing new and replayed records) belong in {@code step}, around
 * that one call: each update from the state the previous one left loaded, the embeddings and the
 * captured state after the last.
 *
 * <p>Not thread-safe.
 *
 * @param <I> one input record: {@link Image}, {@link SentenceExample} or {@link PairExample}
 */
public final class Learner<I> {

  private static final int EMBED_CHUNK = 500;

  private final MethodStep<I> method;
  /** The state the networks currently hold; a step from it needs no reload. */
  private LearnerState loaded;

  public Learner(MethodStep<I> method) {
    this.method = method;
  }

  /** The image learner of {@code config.method()}. */
  public static Learner<Image> images(LearnerConfig config) {
    return new Learner<>(ImageMethodStep.of(config));
  }

  /** The sentence learner (SimCSE, ESimCSE or ConSERT, as {@code config.method()} says). */
  public static Learner<SentenceExample> sentences(SentenceLearnerConfig config) {
    return new Learner<>(new SimCseStep(config));
  }

  /** The image-text learner (CLIP). */
  public static Learner<PairExample> pairs(PairLearnerConfig config) {
    return new Learner<>(new ClipStep(config));
  }

  /** B: records per training step, as configured. */
  public int batchSize() {
    return method.batchSize();
  }

  /** Step 0: fresh networks, an empty queue or bank where the method has one. */
  public LearnerState initialState() {
    return method.initialState();
  }

  /** One training step on a micro-batch. */
  public StepResult step(LearnerState state, Batch<I> batch) {
    // the step's arrays are scratch: the result holds only Java arrays and numbers
    try (NativeMemory.Step scratch = NativeMemory.step()) {
      return stepInScratch(state, batch);
    }
  }

  private StepResult stepInScratch(LearnerState state, Batch<I> batch) {
    PhaseClock clock = new PhaseClock();
    load(state);
    Rng rng = new Rng(state.rngState());
    clock.lap(STATE_COPY);

    MethodStep.Outcome o = method.train(new MethodStep.Input<>(state, batch.inputs(), rng), clock);

    long next = state.step() + 1;
    List<Output> outputs = batch.emitEmbeddings()
        ? method.embed(batch.inputs(), next) : List.of();
    clock.lap(EMBED);

    LearnerState nextState = new LearnerState(next, rng.state(), method.networks().capture(),
        o.queue(), o.logitScale());
    loaded = nextState;
    clock.lap(STATE_COPY);

    return new StepResult(nextState, outputs,
        StepMetrics.of(nextState, o.loss(), o.positiveSimilarity(), o.negativeSimilarity(),
            o.q(), o.k(), batch.size() * 1e9 / clock.elapsedNanos(), clock.timings()));
  }

  /**
   * The outputs of the given records by the state's model, without training: one per image or
   * sentence (by the momentum encoder for methods that have one), one per side of an image-text
   * record.
   */
  public List<Output> outputs(LearnerState state, List<I> inputs) {
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
