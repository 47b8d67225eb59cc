package dev.contraflow.learn;

/** The self-supervised method a learner runs. */
public enum Method {
  /** MoCo v2: two views, momentum key encoder, FIFO queue of negatives, InfoNCE. */
  MOCO
}
