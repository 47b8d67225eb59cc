package dev.contraflow.learn;

/** The self-supervised method a learner runs, and the kind of record it learns from. */
public enum Method {
  /** MoCo v2: two views, momentum key encoder, FIFO queue of negatives, InfoNCE. */
  MOCO(false),
  /** SimCSE (Gao et al. 2021): the same sentence under two dropout masks, in-batch negatives. */
  SIMCSE(true),
  /** ESimCSE (Wu et al. 2022): the positive repeats some words; negatives include the queue. */
  ESIMCSE(true),
  /** ConSERT (Yan et al. 2021): token shuffle against feature cutoff. */
  CONSERT(true);

  private final boolean sentences;

  Method(boolean sentences) {
    this.sentences = sentences;
  }

  /** Whether the method learns from sentences (otherwise from images). */
  public boolean forSentences() {
    return sentences;
  }
}
