package dev.contraflow.encoder;

/**
 * How a sentence's token vectors are weighed into its representation, {@code sum(w_t h_t) /
 * sum(w_t)}. SIF and IDF read document frequencies counted from the stream itself ({@link
 * DocumentFrequencySketch}); before any sentence is counted both weigh every token 1.
 */
public enum SentencePooling {
  /** w = 1: every token alike, so the words in most sentences ("the", "of") dominate. */
  MEAN,
  /**
   * SIF (Arora et al. 2017): w = a / (a + p), p the share of sentences that hold the token. Steep:
   * a word seen once outweighs a topic word held by 1% of the sentences about 10 to 1 at a = 0.001.
   */
  SIF,
  /**
   * IDF as TF-IDF weighs (scikit-learn's smoothed form): w = ln((1 + N) / (1 + df)) + 1. Gentle:
   * a word seen once outweighs a topic word held by 1% of the sentences less than 2 to 1, so the
   * words that mark a topic keep their say, while "the" weighs a fraction of either.
   */
  IDF;

  /** Whether the weights need the stream's document frequencies. */
  public boolean countsDocuments() {
    return this != MEAN;
  }
}
