package dev.contraflow.augment;

/** The "applied with probability p" parameter that most view transforms carry. */
final class Probability {

  private Probability() {}

  /** Returns p if it is a probability, else fails naming the transform, the field and the value. */
  static double require(String transform, String field, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(transform + "." + field
          + " must be a probability in [0, 1], got " + p
          + "; use 0 to disable the transform, 1 to always apply it");
    }
    return p;
  }
}
