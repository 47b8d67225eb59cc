package dev.contraflow.learn;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.LongStream;

/**
 * Streams records (images, sentences, image-text pairs) through a learner in
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
    requirePasses(passes);
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
    if (samples < 1) {
      throw new IllegalArgumentException("samples must be >= 1, got " + samples);
    }
    if (records.isEmpty()) {
      throw new IllegalArgumentException("no records to train on");
    }
    Iterator<T> cycling = LongStream.range(0, samples)
        .mapToObj(i -> records.get((int) (i % records.size()))).iterator();
    return run(learner, state, cycling, samples, budget, listener);
  }

  /**
   * Trains for {@code passes} passes over records that are read again on every pass (a folder of
   * images decoded as they are reached), so only a micro-batch is in memory at a time. An
   * iterator that is {@link AutoCloseable} is closed when its pass ends or the budget stops it.
   *
   * @param expectedPerPass records a pass is expected to hold, for the progress figures only
   */
  public static <T> LearnerState trainPasses(Learner<T> learner, LearnerState state,
      Iterable<T> records, int passes, long expectedPerPass, Duration budget, Listener listener) {
    requirePasses(passes);
    try (Passes<T> all = new Passes<>(records, passes)) {
      if (!all.hasNext()) {
        throw new IllegalArgumentException("no records to train on");
      }
      return run(learner, state, all, expectedPerPass * passes, budget, listener);
    }
  }

  private static void requirePasses(int passes) {
    if (passes < 1) {
      throw new IllegalArgumentException("passes must be >= 1, got " + passes);
    }
  }

  /** Micro-batches of {@code samples} in order, a step each. */
  private static <T> LearnerState run(Learner<T> learner, LearnerState state, Iterator<T> samples,
      long total, Duration budget, Listener listener) {
    long started = System.nanoTime();
    int batchSize = learner.batchSize();
    List<T> pending = new ArrayList<>(batchSize);
    long seen = 0;
    while (samples.hasNext()) {
      pending.add(samples.next());
      if (pending.size() == batchSize || !samples.hasNext()) {
        StepResult r = learner.step(state, Batch.trainingOnly(pending));
        state = r.state();
        seen += pending.size();
        pending.clear();
        if (r.updates() > 0 || r.rejected()) { // a step without an update has no figures
          listener.onStep(r.metrics(), r.state(), seen, Math.max(total, seen));
        }
        if (budget != null && System.nanoTime() - started > budget.toNanos()) {
          break;
        }
      }
    }
    return state;
  }

  /** The records of {@code passes} passes, one after the other. */
  private static final class Passes<T> implements Iterator<T>, AutoCloseable {

    private final Iterable<T> records;
    private final int passes;
    private Iterator<T> current;
    private int pass;

    Passes(Iterable<T> records, int passes) {
      this.records = records;
      this.passes = passes;
      this.current = records.iterator();
    }

    @Override
    public boolean hasNext() {
      while (!current.hasNext() && pass + 1 < passes) {
        close();
        pass++;
        current = records.iterator();
      }
      return current.hasNext();
    }

    @Override
    public T next() {
      if (!hasNext()) {
        throw new NoSuchElementException("all " + passes + " passes are done");
      }
      return current.next();
    }

    @Override
    public void close() {
      if (current instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          throw new IllegalStateException("could not close a pass over the records: "
              + e.getMessage(), e);
        }
      }
    }
  }
}
