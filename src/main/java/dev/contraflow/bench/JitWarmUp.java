package dev.contraflow.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * When the JIT has settled, for a benchmark's warm-up: HotSpot compiles a hot method several times
 * over its first thousands of calls (interpreted, C1, then C2 with the profile C1 gathered), on
 * compiler threads that share the machine's two cores with the step being timed. A step timed
 * while they still run is slower than every later one, and a streaming job runs for hours, so its
 * steady rate is the one to compare with a peer that has no JIT (issue 20: the MoCo v2 step of
 * one build trained 5,039 samples/s timed after 3 warm-up steps and 6,376 after 30, one run each;
 * the compilers still took 11% of the time of 20 steps timed after a lull of two).
 *
 * <p>Settled: the compilers worked less than {@link #SETTLED_SHARE} of the wall time of the last
 * {@link #WINDOW} steps together. The step's own hot loops reach C2 within a few steps, but its
 * glue (ND4J's op classes, the learner's records and lambdas) runs a few times per update, so
 * HotSpot's invocation thresholds take it to C2 over hundreds of updates, in bursts; a window of
 * several steps sees past a lull between two. C2 keeps compiling now and then for as long as the
 * process lives, so the warm-up gives up after {@link #MAX_STEPS}, and the benchmark reports the
 * compilers' share of the measured time beside its figures.
 */
final class JitWarmUp {

  /** Compiler time, as a share of the window's wall time, below which the JIT counts as settled. */
  static final double SETTLED_SHARE = 0.03;

  /** Steps the share is taken over. */
  static final int WINDOW = 5;

  /** Warm-up steps after which the benchmark is timed whatever the JIT does. */
  static final int MAX_STEPS = 60;

  private final CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
  private final long[] compileMillis = new long[WINDOW];
  private final long[] stepNanos = new long[WINDOW];
  private int steps;

  /**
   * The compilers' accumulated time so far in milliseconds (summed over compiler threads, as
   * HotSpot reports it), or 0 on a JVM that does not report it: then the JIT always counts as
   * settled and the warm-up is the caller's own.
   */
  long compileMillis() {
    return compiler != null && compiler.isCompilationTimeMonitoringSupported()
        ? compiler.getTotalCompilationTime() : 0;
  }

  /**
   * Records one warm-up step that took {@code nanos} while the compilers worked {@code millis};
   * true once the JIT has settled or {@link #MAX_STEPS} steps have passed.
   */
  boolean settledAfter(long millis, long nanos) {
    compileMillis[steps % WINDOW] = millis;
    stepNanos[steps % WINDOW] = nanos;
    steps++;
    return steps >= MAX_STEPS
        || steps >= WINDOW && settled(sum(compileMillis), sum(stepNanos));
  }

  /** Warm-up steps recorded so far. */
  int steps() {
    return steps;
  }

  /** Whether {@code millis} of compiling in {@code nanos} of wall time is little enough. */
  static boolean settled(long millis, long nanos) {
    return millis * 1e6 < SETTLED_SHARE * nanos;
  }

  private static long sum(long[] values) {
    long s = 0;
    for (long v : values) {
      s += v;
    }
    return s;
  }
}
