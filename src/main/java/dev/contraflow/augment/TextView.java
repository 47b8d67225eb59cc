package dev.contraflow.augment;

/**
 * A random transformation of a sentence view. Randomness comes in, so the same generator state
 * always gives the same view.
 */
@FunctionalInterface
public interface TextView {

  SentenceView apply(SentenceView view, Rng rng);

  /** This view, then {@code next} on its result. */
  default TextView andThen(TextView next) {
    return (v, rng) -> next.apply(apply(v, rng), rng);
  }

  /** SimCSE's view: the sentence itself; the two views differ only by their dropout masks. */
  static TextView identity() {
    return (v, rng) -> v;
  }
}
