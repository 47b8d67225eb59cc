package dev.contraflow.job.decode;

import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.learn.SentenceExample;

/**
 * A validated sentence record on its way to its model's learner. The text is kept as it arrived
 * (small in state) and tokenised again at the step; the decoder has already tokenised it once
 * with the same configuration, so that cannot fail. A Flink POJO.
 */
public class SentenceInput extends KeyedInput {
  public String text;
  /** The entailed sentence of a supervised (NLI) record, or null. */
  public String positive;
  /** The contradicting sentence of a supervised record, or null. */
  public String hardNegative;
  /** The record's {@code sequence} attribute (CPC: the document it belongs to), or null. */
  public String sequence;
  /** The record's {@code position} attribute (its place in the sequence), or -1. */
  public long position = -1;

  public SentenceInput() {}

  public SentenceInput(String id, String modelId, String text, String positive,
      String hardNegative, String sourceTopic, int sourcePartition, long sourceOffset,
      long eventTime) {
    super(id, modelId, sourceTopic, sourcePartition, sourceOffset, eventTime);
    this.text = text;
    this.positive = positive;
    this.hardNegative = hardNegative;
  }

  /** This input as sentence {@code position} of {@code sequence}. */
  public SentenceInput inSequence(String sequence, long position) {
    this.sequence = sequence;
    this.position = position;
    return this;
  }

  @Override
  public long sizeBytes() {
    return sizeOf(text) + sizeOf(positive) + sizeOf(hardNegative) + sizeOf(sequence);
  }

  /**
   * The learner's example: the sentence and, for supervised records, its pair; its sequence and
   * position (CPC).
   */
  public SentenceExample example(SentenceTokenizer tokenizer) throws InvalidSentenceException {
    return new SentenceExample(tokenizer.tokenize(id, text),
        positive == null ? null : tokenizer.tokenize(id + "#positive", positive),
        hardNegative == null ? null : tokenizer.tokenize(id + "#hardNegative", hardNegative),
        sequence, position);
  }
}
