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
 * @param sequence the document or stream the sentence belongs to, in order (CPC reads each
 *     sequence's sentences as a context for the next ones); null: a sequence of its own
 * @param position the sentence's place in its sequence (0, 1, 2, ...); below 0: unknown, taken
 *     as the one after the sequence's last
 */
public record SentenceExample(TokenizedSentence sentence, TokenizedSentence positive,
    TokenizedSentence hardNegative, String sequence, long position) {

  /** A record outside any sequence (every method but CPC reads only these fields). */
  public SentenceExample(TokenizedSentence sentence, TokenizedSentence positive,
      TokenizedSentence hardNegative) {
    this(sentence, positive, hardNegative, null, -1);
  }

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

  /** Sentence {@code position} of {@code sequence}, for CPC. */
  public static SentenceExample inSequence(TokenizedSentence sentence, String sequence,
      long position) {
    return new SentenceExample(sentence, null, null, sequence, position);
  }

  public String id() {
    return sentence.id();
  }
}
