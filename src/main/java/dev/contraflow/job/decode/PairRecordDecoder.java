package dev.contraflow.job.decode;

import dev.contraflow.avro.PairRecord;
import dev.contraflow.io.image.EncoderInput;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.InvalidImageException;
import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.record.PairRecords;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.io.text.TokenizerConfig;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.source.KafkaInput;

/**
 * Turns pairs-topic records into image-caption pairs for the CLIP learner. Besides what every
 * decoder refuses, a pair without an id, whose image is not usable (not decodable, too large,
 * other channels under model.channelConversion: REFUSE) or whose caption is empty or over-long is a dead letter; the reason
 * says which half was wrong.
 */
public final class PairRecordDecoder extends RecordDecoder<PairRecord, PairInput> {

  private final JobConfig.Model model;
  private final EncoderInput input;
  private final TokenizerConfig tokenizerConfig;
  private transient ImageDecoder images;
  private transient SentenceTokenizer tokenizer;

  public PairRecordDecoder(JobConfig config) {
    super(config, PairRecord.class, config.topics().pairs());
    this.model = config.model();
    this.input = config.pairEncoderInput();
    this.tokenizerConfig = config.pairLearner().tokenizer();
  }

  @Override
  protected PairInput toInput(PairRecord record, KafkaInput in) throws Rejected {
    String id = requireId(record.getId());
    if (images == null) {
      images = new ImageDecoder(input);
      tokenizer = new SentenceTokenizer(tokenizerConfig);
    }
    Image image;
    try {
      image = PairRecords.image(record, images);
    } catch (InvalidImageException e) {
      throw new Rejected("pair " + id + ", image: " + e.getMessage());
    }
    try {
      PairRecords.caption(record, tokenizer);
    } catch (InvalidSentenceException e) {
      throw new Rejected("pair " + id + ", caption: " + e.getMessage());
    }
    return new PairInput(modelIdOr(record.getModelId(), model.defaultPairId()), image,
        record.getText(), in.topic, in.partition, in.offset, eventTime(record.getEventTime(), in));
  }
}
