package dev.contraflow.learn;

import dev.contraflow.io.Image;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams a finite list of records (images, sentences) through a learner in order, as a stream would deliver them:
 * micro-batches of the configured size that run on across pass boundaries, so a pass whose length
 * does not divide by the batch size simply carries its tail into the next batch. Labels are never
 * seen here.
 */
public final class OnlineTrainer {

  /** Told after every step. */
  @FunctionalInterface
  public interface Listener {
    void onStep(StepMetrics metrics, long samplesSeen, long samplesTotal);
  }

  private OnlineTrainer() {}

  /** Trains for {@code passes} passes over {@code images}; returns the final state. */
  public static LearnerState train(Learner learner, LearnerState state, List<Image> images,
      int passes, Listener listener) {
    return train(learner, state, images, passes, null, listener);
  }

  /**
   * As {@link #train(Learner, LearnerState, List, int, Listener)}, but stops after the first step
   * that ends past {@code budget} (null: no budget).
   */
  public static LearnerState train(Learner learner, LearnerState state, List<Image> images,
      int passes, Duration budget, Listener listener) {
    return train((s, batch) -> learner.step(s, Batch.trainingOnly(batch)),
        learner.config().batchSize(), state, images, passes, budget, listener);
  }

  /** One training step of some learner on a micro-batch of records. */
  @FunctionalInterface
  public interface StepFunction<T> {
    StepResult step(LearnerState state, List<T> batch);
  }

  /** Streams {@code records} through any step function, in batches of {@code batchSize}. */
  public static <T> LearnerState train(StepFunction<T> step, int batchSize, LearnerState state,
      List<T> records, int passes, Duration budget, Listener listener) {
    return run(outcomes(step), batchSize, state, records, passes, budget, listener);
  }

  /**
   * As {@link #train(Learner, LearnerState, List, int, Duration, Listener)}, for exactly {@code
   * samples} records (cycling over {@code images}; the last batch may be smaller): the same sample
   * budget for every method, whatever its speed.
   */
  public static LearnerState trainOnSamples(Learner learner, LearnerState state,
      List<Image> images, long samples, Duration budget, Listener listener) {
    return runOnSamples(outcomes((s, batch) -> learner.step(s, Batch.trainingOnly(batch))),
        learner.config().batchSize(), state, images, samples, budget, listener);
  }

  /** What one step of a learner with state type S left: its next state and its metrics. */
  public record Outcome<S>(S state, StepMetrics metrics) {}

  /** One training step of a learner whose state is an S (e.g. {@link PairLearnerState}). */
  @FunctionalInterface
  public interface Step<S, T> {
    Outcome<S> step(S state, List<T> batch);
  }

  /** Streams {@code records} through any learner's step, in batches of {@code batchSize}. */
  public static <S, T> S run(Step<S, T> step, int batchSize, S state, List<T> records,
      int passes, Duration budget, Listener listener) {
    if (passes < 1) {
      throw new IllegalArgumentException("passes must be >= 1, got " + passes);
    }
    return runOnSamples(step, batchSize, state, records, (long) records.size() * passes, budget,
        listener);
  }

  private static <T> Step<LearnerState, T> outcomes(StepFunction<T> step) {
    return (s, batch) -> {
      StepResult r = step.step(s, batch);
      return new Outcome<>(r.state(), r.metrics());
    };
  }

  private static <S, T> S runOnSamples(Step<S, T> step, int batchSize, S state, List<T> records,
      long total, Duration budget, Listener listener) {
    long started = System.nanoTime();
    if (total < 1) {
      throw new IllegalArgumentException("samples must be >= 1, got " + total);
    }
    if (records.isEmpty()) {
      throw new IllegalArgumentException("no records to train on");
    }
    List<T> pending = new ArrayList<>(batchSize);
    long seen = 0;
    for (long i = 0; i < total; i++) {
      pending.add(records.get((int) (i % records.size())));
      if (pending.size() == batchSize || i == total - 1) {
        Outcome<S> r = step.step(state, pending);
        state = r.state();
        seen += pending.size();
        pending.clear();
        listener.onStep(r.metrics(), seen, total);
        if (budget != null && System.nanoTime() - started > budget.toNanos()) {
          break;
        }
      }
    }
    return state;
  }
}
