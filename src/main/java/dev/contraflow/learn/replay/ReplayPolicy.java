package dev.contraflow.learn.replay;

/**
 * Which records a full {@link ReplayBuffer} keeps (Purushwalkam et al., "The Challenges of
 * Continuous Self-Supervised Learning", ECCV 2022, compare the three).
 */
public enum ReplayPolicy {

  /** The most recent records: the oldest entry leaves first. */
  FIFO,

  /**
   * A uniform sample of every record offered so far (Vitter's algorithm R): the t-th record
   * (0-based) enters with probability capacity / (t + 1) and replaces a uniformly chosen entry.
   */
  RESERVOIR,

  /**
   * The least redundant records (the paper's MinRed buffer): when full, the entry most similar to
   * its nearest neighbour in feature space leaves, so near-duplicates go and diverse records stay.
   *
   * <p>The variant implemented: incoming records join first, then entries leave one at a time,
   * each time the one with the highest cosine similarity to its nearest remaining neighbour (ties:
   * the older), as in the authors' max-coverage reduction, which masks a removed entry out of the
   * similarity matrix before choosing the next. The feature of an entry is the embedding the
   * learner gave the record when it arrived (L2-normalised), and it is never refreshed: the
   * authors instead keep an exponential moving average of the features each time a buffered
   * sample is trained on, and can also retire samples after a number of uses; neither is done
   * here, so features of old entries come from older models.
   */
  MIN_REDUNDANCY;

  /** Whether the policy reads the records' feature vectors. */
  public boolean usesFeatures() {
    return this == MIN_REDUNDANCY;
  }
}
