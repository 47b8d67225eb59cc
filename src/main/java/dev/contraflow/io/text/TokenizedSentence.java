package dev.contraflow.io.text;

import java.util.Objects;

/**
 * A sentence as token ids: row t holds the ids of token t (its word id, then n-gram ids, padded by
 * repeating the word id so every slot is meaningful). Immutable by contract.
 *
 * @param id the record's id
 * @param tokens tokens x slotsPerToken ids, at least one token
 */
public record TokenizedSentence(String id, int[][] tokens) {

  public TokenizedSentence {
    Objects.requireNonNull(id, "id");
    if (tokens == null || tokens.length == 0) {
      throw new IllegalArgumentException("sentence " + id + " has no tokens");
    }
  }

  public int length() {
    return tokens.length;
  }
}
