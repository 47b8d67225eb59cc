package dev.contraflow.learn;

import dev.contraflow.io.text.TokenizedSentence;
import java.util.Objects;

/**
 * One sentence record of a micro-batch. Unsupervised records carry only the sentence; a record of
 * a natural-language-inference pair (supervised SimCSE) also carries its positive (entailment) and
 * may carry a hard negative (contradiction).
 *
 * @param sentence the record's sentence; its id is the record's id
 * @param positive the entailed sentence, or null to make the positive from views of the sentence
 * @param hardNegative the contradicting sentence, or null
 */
public record SentenceExample(TokenizedSentence sentence, TokenizedSentence positive,
    TokenizedSentence hardNegative) {

  public SentenceExample {
    Objects.requireNonNull(sentence, "sentence");
    if (hardNegative != null && positive == null) {
      throw new IllegalArgumentException("record " + sentence.id()
          + " has a hard negative but no positive (supervised SimCSE needs both)");
    }
  }

  public static SentenceExample of(TokenizedSentence sentence) {
    return new SentenceExample(sentence, null, null);
  }

  public String id() {
    return sentence.id();
  }
}
