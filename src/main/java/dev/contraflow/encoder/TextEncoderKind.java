package dev.contraflow.encoder;

/** Which sentence encoder {@link TextEncoderConfig} describes. */
public enum TextEncoderKind {
  /**
   * fastText-style token vectors (a word and its n-grams), dropout, a residual 1-D convolution
   * over neighbouring tokens, pooling, and the projection head fc-ReLU-fc: a DL4J graph whose
   * whole token table the optimiser steps every update ({@link TextEncoderGraphs}).
   */
  CONTEXT_CONVOLUTION,
  /**
   * A hashed bag of words: the pooled token vectors of a wide hashed table are the
   * representation and the projection alike (no head, no convolution), and an update moves only
   * the table rows its batch touched ({@link HashedBagEncoder}), so a wide table costs memory,
   * not step time. With IDF pooling its untrained form is a random projection of an IDF-weighted
   * bag of words, which keeps TF-IDF's cosine geometry; training refines that geometry.
   */
  HASHED_BAG;

  /**
   * Whether this kind is a DL4J graph ({@link Encoder#writesDl4j}): known from the kind, so a
   * caller need not build a scratch encoder - for the hashed bag, a copy of its whole table - to
   * ask.
   */
  public boolean isDl4jGraph() {
    return this == CONTEXT_CONVOLUTION;
  }
}
