package dev.contraflow.io.text;

import java.io.Serializable;

/**
 * How text becomes token ids, fastText-style (Bojanowski et al. 2017): each word is hashed into one
 * of {@code buckets} ids, and so are its character n-grams ({@code <wo}, {@code wor} ...), so no
 * vocabulary has to be downloaded or learned and an unseen word still shares n-grams with known
 * ones.
 *
 * @param buckets ids are in [1, buckets); 0 is padding. More buckets, fewer collisions, more
 *     embedding parameters (buckets x width)
 * @param ngramMin shortest character n-gram (fastText: 3)
 * @param ngramMax longest character n-gram (fastText: 6)
 * @param slotsPerToken ids per token: the word id and up to slotsPerToken - 1 of its n-grams
 * @param maxTokens tokens kept per sentence; longer sentences are truncated
 * @param maxChars code points allowed before normalisation; longer text is refused (dead letter)
 * @param lowerCase whether to lower-case after NFKC normalisation
 */
public record TokenizerConfig(int buckets, int ngramMin, int ngramMax, int slotsPerToken,
    int maxTokens, int maxChars, boolean lowerCase) implements Serializable {

  public TokenizerConfig {
    if (buckets < 2 || buckets > (1 << 24)) {
      throw new IllegalArgumentException("tokenizer buckets must be in [2, 2^24], got " + buckets
          + " (2^16 suits a few hundred thousand sentences)");
    }
    if (ngramMin < 1 || ngramMax < ngramMin) {
      throw new IllegalArgumentException("tokenizer n-gram lengths must satisfy 1 <= ngramMin <= "
          + "ngramMax, got " + ngramMin + ".." + ngramMax + " (fastText uses 3..6)");
    }
    if (slotsPerToken < 1) {
      throw new IllegalArgumentException("tokenizer slotsPerToken must be >= 1, got "
          + slotsPerToken + " (1 = word ids only)");
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("tokenizer maxTokens must be >= 1, got " + maxTokens);
    }
    if (maxChars < 1) {
      throw new IllegalArgumentException("tokenizer maxChars must be >= 1, got " + maxChars);
    }
  }

  /**
   * 2^14 buckets, n-grams 3..5, 6 ids per token, 32 tokens, 10,000 characters, lower-cased. The
   * bucket count is small for a CPU's sake (fastText uses 2M): every step's embedding update is
   * buckets x width, and collisions cost less than a 4x slower step (measured with bench text).
   */
  public static TokenizerConfig defaults() {
    return new TokenizerConfig(1 << 14, 3, 5, 6, 32, 10_000, true);
  }
}
