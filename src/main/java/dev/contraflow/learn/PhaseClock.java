package dev.contraflow.learn;

/** Splits one step's wall time into the phases of {@link StepTimings}. Not thread-safe. */
public final class PhaseClock {

  /** The phases, in the order of StepTimings' components. */
  public enum Phase { AUGMENT, FORWARD, LOSS, BACKWARD, MOMENTUM, QUEUE, EMBED, STATE_COPY }

  private final long started = System.nanoTime();
  private final long[] spent = new long[Phase.values().length];
  private long last = started;

  /** Books the time since the previous lap to {@code phase}. */
  public void lap(Phase phase) {
    long now = System.nanoTime();
    spent[phase.ordinal()] += now - last;
    last = now;
  }

  long elapsedNanos() {
    return last - started;
  }

  StepTimings timings() {
    return new StepTimings(spent[0], spent[1], spent[2], spent[3], spent[4], spent[5], spent[6],
        spent[7]);
  }
}
