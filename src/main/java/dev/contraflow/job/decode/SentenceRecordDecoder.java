package dev.contraflow.job.decode;

import dev.contraflow.avro.SentenceRecord;
import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.io.text.TokenizerConfig;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.source.KafkaInput;

/**
 * Turns sentence-topic records into sentences for the sentence learner. Besides what every
 * decoder refuses, a record without an id, with empty or over-long text (in the sentence, its
 * positive or its hard negative), or with a hard negative but no positive is a dead letter with
 * the reason, and so is a {@value #POSITION} attribute that is no whole number >= 0. The tokenizer is the learner's, so a record that passes here tokenises at the step.
 */
public final class SentenceRecordDecoder extends RecordDecoder<SentenceRecord, SentenceInput> {

  /**
   * The attribute naming the document (or any ordered stream) a sentence belongs to: CPC reads
   * each sequence's sentences in order as the context of the next ones (issue 17).
   */
  public static final String SEQUENCE = "sequence";
  /** The attribute holding a sentence's place in its sequence, 0, 1, 2, ... */
  public static final String POSITION = "position";

  private final TokenizerConfig tokenizerConfig;
  private final String defaultModelId;
  private transient SentenceTokenizer tokenizer;

  public SentenceRecordDecoder(JobConfig config) {
    super(config, SentenceRecord.class, config.topics().sentences());
    this.tokenizerConfig = config.sentenceLearner().tokenizer();
    this.defaultModelId = config.model().defaultSentenceId();
  }

  @Override
  protected SentenceInput toInput(SentenceRecord record, KafkaInput in) throws Rejected {
    String id = requireId(record.getId());
    if (record.getHardNegative() != null && record.getPositive() == null) {
      throw new Rejected("sentence " + id + " has a hardNegative but no positive (supervised "
          + "SimCSE needs both; leave both out for unsupervised learning)");
    }
    SentenceInput out = new SentenceInput(id, modelIdOr(record.getModelId(), defaultModelId),
        record.getText(), record.getPositive(), record.getHardNegative(), in.topic, in.partition,
        in.offset, eventTime(record.getEventTime(), in))
        .inSequence(record.getAttributes().get(SEQUENCE), position(id, record));
    if (tokenizer == null) {
      tokenizer = new SentenceTokenizer(tokenizerConfig);
    }
    try {
      out.example(tokenizer);
    } catch (InvalidSentenceException e) {
      throw new Rejected(e.getMessage());
    }
    return out;
  }

  /** The {@code position} attribute: a whole number >= 0, or -1 without one. */
  private static long position(String id, SentenceRecord record) throws Rejected {
    String p = record.getAttributes().get(POSITION);
    if (p == null) {
      return -1;
    }
    try {
      long position = Long.parseLong(p.strip());
      if (position >= 0) {
        return position;
      }
    } catch (NumberFormatException e) {
      // refused below, with the value
    }
    throw new Rejected("sentence " + id + " has attribute " + POSITION + " '" + p
        + "'; it must be a whole number >= 0 (the sentence's place in its sequence)");
  }
}
