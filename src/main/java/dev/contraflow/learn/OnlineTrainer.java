package dev.contraflow.learn;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams a finite list of records (images, sentences, image-text pairs) through a learner in
 * order, as a stream would deliver them: micro-batches of the configured size that run on across
 * pass boundaries, so a pass whose length does not divide by the batch size simply carries its
 * tail into the next batch. Labels are never
 * seen here.
 */
public final class OnlineTrainer {

  /** Told after every step. */
  @FunctionalInterface
  public interface Listener {
    void onStep(StepMetrics metrics, long samplesSeen, long samplesTotal);

    /** Told after every step, with the state it left (for figures beyond the metrics). */
    default void onStep(StepMetrics metrics, LearnerState state, long samplesSeen,
        long samplesTotal) {
      onStep(metrics, samplesSeen, samplesTotal);
    }
  }

  private OnlineTrainer() {}

  /** Trains for {@code passes} passes over {@code records}; returns the final state. */
  public static <T> LearnerState train(Learner<T> learner, LearnerState state, List<T> records,
      int passes, Listener listener) {
    return train(learner, state, records, passes, null, listener);
  }

  /**
   * As {@link #train(Learner, LearnerState, List, int, Listener)}, but stops after the first step
   * that ends past {@code budget} (null: no budget).
   */
  public static <T> LearnerState train(Learner<T> learner, LearnerState state, List<T> records,
      int passes, Duration budget, Listener listener) {
    if (passes < 1) {
      throw new IllegalArgumentException("passes must be >= 1, got " + passes);
    }
    return trainOnSamples(learner, state, records, (long) records.size() * passes, budget,
        listener);
  }

  /**
   * As {@link #train(Learner, LearnerState, List, int, Duration, Listener)}, for exactly {@code
   * samples} records (cycling over {@code records}; the last batch may be smaller): the same
   * sample budget for every method, whatever its speed.
   */
  public static <T> LearnerState trainOnSamples(Learner<T> learner, LearnerState state,
      List<T> records, long samples, Duration budget, Listener listener) {
    long started = System.nanoTime();
    if (samples < 1) {
      throw new IllegalArgumentException("samples must be >= 1, got " + samples);
    }
    if (records.isEmpty()) {
      throw new IllegalArgumentException("no records to train on");
    }
    int batchSize = learner.batchSize();
    List<T> pending = new ArrayList<>(batchSize);
    long seen = 0;
    for (long i = 0; i < samples; i++) {
      pending.add(records.get((int) (i % records.size())));
      if (pending.size() == batchSize || i == samples - 1) {
        StepResult r = learner.step(state, Batch.trainingOnly(pending));
        state = r.state();
        seen += pending.size();
        pending.clear();
        listener.onStep(r.metrics(), r.state(), seen, samples);
        if (budget != null && System.nanoTime() - started > budget.toNanos()) {
          break;
        }
      }
    }
    return state;
  }
}
