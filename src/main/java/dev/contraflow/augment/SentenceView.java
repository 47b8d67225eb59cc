package dev.contraflow.augment;

import dev.contraflow.io.text.TokenizedSentence;

/**
 * One view of a sentence as the text encoder sees it: token ids plus ConSERT's cutoffs (Yan et al.
 * 2021), which act on the embedding matrix rather than on the ids. Immutable by contract.
 *
 * @param tokens tokens x slots ids
 * @param cutTokens per token, whether its embedding is zeroed (token cutoff); same length as tokens
 * @param cutFeatures per embedding dimension, whether it is zeroed for every token (feature
 *     cutoff); empty when no dimension is cut
 */
public record SentenceView(int[][] tokens, boolean[] cutTokens, boolean[] cutFeatures) {

  public SentenceView {
    if (tokens.length == 0) {
      throw new IllegalArgumentException("a sentence view needs at least one token");
    }
    if (cutTokens.length != tokens.length) {
      throw new IllegalArgumentException(
          "cutTokens has " + cutTokens.length + " entries for " + tokens.length + " tokens");
    }
  }

  /** The sentence as it is: nothing cut. */
  public static SentenceView of(TokenizedSentence s) {
    return new SentenceView(s.tokens(), new boolean[s.length()], new boolean[0]);
  }

  public int length() {
    return tokens.length;
  }

  /** A view with other tokens (token-level views); cutoffs of moved tokens move with them. */
  SentenceView withTokens(int[][] newTokens, boolean[] newCutTokens) {
    return new SentenceView(newTokens, newCutTokens, cutFeatures);
  }
}
