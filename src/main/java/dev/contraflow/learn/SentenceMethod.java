package dev.contraflow.learn;

/** The self-supervised method a sentence learner runs: which two views it contrasts. */
public enum SentenceMethod {
  /** SimCSE (Gao et al. 2021): the same sentence under two dropout masks. */
  SIMCSE,
  /** ESimCSE (Wu et al. 2022): the positive repeats some words; negatives include the queue. */
  ESIMCSE,
  /** ConSERT (Yan et al. 2021): token shuffle against feature cutoff. */
  CONSERT
}
