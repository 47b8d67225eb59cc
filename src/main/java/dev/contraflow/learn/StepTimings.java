package dev.contraflow.learn;

/** Nanoseconds spent in each phase of one step (ND4J on CPU runs synchronously, so these add up). */
public record StepTimings(
    long augmentNanos,
    long forwardNanos,
    long lossNanos,
    long backwardNanos,
    long momentumNanos,
    long queueNanos,
    long embedNanos,
    long stateCopyNanos) {

  public long totalNanos() {
    return augmentNanos + forwardNanos + lossNanos + backwardNanos + momentumNanos + queueNanos
        + embedNanos + stateCopyNanos;
  }

  public StepTimings plus(StepTimings o) {
    return new StepTimings(augmentNanos + o.augmentNanos, forwardNanos + o.forwardNanos,
        lossNanos + o.lossNanos, backwardNanos + o.backwardNanos, momentumNanos + o.momentumNanos,
        queueNanos + o.queueNanos, embedNanos + o.embedNanos, stateCopyNanos + o.stateCopyNanos);
  }

  public static StepTimings zero() {
    return new StepTimings(0, 0, 0, 0, 0, 0, 0, 0);
  }
}
