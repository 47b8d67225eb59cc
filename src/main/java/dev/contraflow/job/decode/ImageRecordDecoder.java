package dev.contraflow.job.decode;

import dev.contraflow.avro.ImageRecord;
import dev.contraflow.io.image.EncoderInput;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.record.ImageRecords;
import dev.contraflow.io.image.InvalidImageException;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.source.KafkaInput;

/**
 * Turns image-topic records into images for the learner, decoded straight to the models' input
 * ({@link JobConfig#encoderInput()}: subsampled, upright, converted and resized before the
 * shuffle, so state and network only ever see inputs of the encoder's size). Besides what every
 * decoder refuses, an image without an id, too large, not decodable or, with {@code
 * model.channelConversion: REFUSE}, with other channels is a dead letter with the reason.
 */
public final class ImageRecordDecoder extends RecordDecoder<ImageRecord, LearnerInput> {

  private final JobConfig.Model model;
  private final EncoderInput input;
  private transient ImageDecoder images;

  public ImageRecordDecoder(JobConfig config) {
    super(config, ImageRecord.class, config.topics().images());
    this.model = config.model();
    this.input = config.encoderInput();
  }

  @Override
  protected LearnerInput toInput(ImageRecord record, KafkaInput in) throws Rejected {
    String id = requireId(record.getId());
    Image image = decodeImage(id, record);
    return new LearnerInput(modelIdOr(record.getModelId(), model.defaultId()), image, in.topic,
        in.partition, in.offset, eventTime(record.getEventTime(), in));
  }

  private Image decodeImage(String id, ImageRecord r) throws Rejected {
    if (images == null) {
      images = new ImageDecoder(input);
    }
    try {
      return ImageRecords.decode(r, images);
    } catch (InvalidImageException e) {
      throw new Rejected(e.getMessage());
    }
  }
}
