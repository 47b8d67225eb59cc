package dev.contraflow.encoder;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * [0, n) cut into a number of contiguous ranges that depends on n alone, and a pass over them
 * shared by the calling thread and the idle cores: the Java element-wise passes of a step
 * ({@link HostValues}) over both cores of this machine, as ND4J's ops ran (issue 20).
 *
 * <p>Why the count never depends on the threads: a pass that sums (batch norm's column sums,
 * softmax row sums are per row) keeps one partial per range and the caller adds the partials in
 * range order, so the result is bit-identical whichever thread ran which range, from run to run
 * and between machines with 2 or 64 cores. A pass that only maps values is identical however it
 * is cut.
 *
 * <p>Why {@link ForkJoinPool#commonPool()} and the caller working too: this runs inside a Flink
 * task, whose classes come from a per-job class loader. A static pool of our own would be either
 * non-daemon threads that outlive the job and block the task manager's shutdown, or a pool per
 * loaded class, leaked with each job. The common pool is the JVM's, daemon, sized to the cores
 * less one (so with the caller, one thread per core), and nothing of ours stays on it between
 * passes. Helpers only claim ranges that nobody has started; the caller claims the rest, so a pass
 * never waits for a helper that was not scheduled (a busy common pool only makes it sequential),
 * only for ranges already running.
 *
 * <p>{@code -Dcontraflow.hostThreads=false} runs every range on the calling thread (the same
 * ranges, so the same values): to compare the two in one build ({@code bench speed}), or in one
 * JVM by setting the property between passes.
 */
public final class FixedRanges {

  /** Set to {@code false} to run each pass's ranges on the calling thread only. */
  public static final String PARALLEL_PROPERTY = "contraflow.hostThreads";

  /**
   * Most ranges per pass: enough to share 8 cores, and on 2 cores small enough pieces (B = 256:
   * 32 rows) that the two threads finish together.
   */
  public static final int MAX_RANGES = 8;

  /**
   * Below this many values touched a pass stays on the caller: handing a range to another thread
   * costs a few microseconds, as much as a pass over ~10^4 values (B x 128 and smaller).
   */
  public static final long MIN_PARALLEL_VALUES = 1 << 15;

  private final int n;
  private final int count;

  private FixedRanges(int n, int count) {
    this.n = n;
    this.count = count;
  }

  /** [0, n) in min(n, {@link #MAX_RANGES}) ranges of near-equal length (one range for n = 0). */
  public static FixedRanges of(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("a pass covers n >= 0 items, got " + n);
    }
    return new FixedRanges(n, Math.max(1, Math.min(n, MAX_RANGES)));
  }

  /** The number of ranges. */
  public int count() {
    return count;
  }

  /** First item of range r. */
  public int from(int r) {
    return (int) ((long) n * r / count);
  }

  /** One past the last item of range r. */
  public int to(int r) {
    return from(r + 1);
  }

  /**
   * Runs {@code range.accept(r)} once for each range r, on the caller and, when the pass touches
   * at least {@link #MIN_PARALLEL_VALUES} values, on idle common-pool threads; returns when every
   * range is done, its writes visible to the caller. Ranges must write disjoint memory (a partial
   * sum per range, not a shared one). A range's failure is rethrown here: on the caller alone the
   * first, at once; shared, one of them once every range has ended.
   *
   * @param valuesTouched how many values the whole pass reads or writes, to judge whether sharing
   *     it pays
   */
  public void forEach(long valuesTouched, IntConsumer range) {
    int helpers = Math.min(count - 1, ForkJoinPool.getCommonPoolParallelism());
    if (helpers < 1 || valuesTouched < MIN_PARALLEL_VALUES || !parallel()) {
      for (int r = 0; r < count; r++) {
        range.accept(r);
      }
      return;
    }
    Pass pass = new Pass(range, count);
    for (int h = 0; h < helpers; h++) {
      ForkJoinPool.commonPool().execute(pass::work);
    }
    pass.work();
    pass.awaitAll();
  }

  /**
   * Whether passes are shared, read at each pass (a map lookup, against a pass of 10^4 values or
   * more), so that one JVM can alternate the two for an A/B comparison under the same load.
   */
  private static boolean parallel() {
    return !"false".equalsIgnoreCase(System.getProperty(PARALLEL_PROPERTY));
  }

  /** Sums per range (each {@code partials[r]} of one length) added in range order into the first. */
  public static double[] sumInOrder(double[][] partials) {
    double[] total = partials[0];
    for (int r = 1; r < partials.length; r++) {
      for (int j = 0; j < total.length; j++) {
        total[j] += partials[r][j];
      }
    }
    return total;
  }

  /** One pass: ranges are claimed in order by whoever asks next. */
  private static final class Pass {
    private final IntConsumer range;
    private final int count;
    private final Thread caller = Thread.currentThread();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private volatile Throwable failure;

    Pass(IntConsumer range, int count) {
      this.range = range;
      this.count = count;
    }

    void work() {
      for (int r = next.getAndIncrement(); r < count; r = next.getAndIncrement()) {
        try {
          range.accept(r);
        } catch (Throwable t) {
          failure = t;
        } finally {
          // publishes the range's writes to the caller's read in awaitAll
          if (done.incrementAndGet() == count && Thread.currentThread() != caller) {
            LockSupport.unpark(caller);
          }
        }
      }
    }

    /**
     * Waits for ranges that helpers are still running (the caller ran out of unclaimed ones):
     * spinning briefly, as a range takes microseconds, then parked until the last one ends, so
     * that a helper descheduled on a loaded machine does not cost the caller's core too.
     */
    void awaitAll() {
      for (int spins = 0; done.get() < count; spins++) {
        if (spins < 200) {
          Thread.onSpinWait();
        } else {
          LockSupport.park(this);
        }
      }
      Throwable t = failure;
      if (t instanceof RuntimeException e) {
        throw e;
      }
      if (t instanceof Error e) {
        throw e;
      }
    }
  }
}
