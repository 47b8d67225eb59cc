package dev.contraflow.job.decode;

import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.io.Image;
import dev.contraflow.io.ImageDecoder;
import dev.contraflow.io.ImageRecords;
import dev.contraflow.io.InvalidImageException;
import dev.contraflow.io.RecordCodec;
import dev.contraflow.io.UndecodableRecordException;
import dev.contraflow.job.RecordCodecs;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.sink.DeadLetters;
import dev.contraflow.job.sink.KafkaOutput;
import dev.contraflow.job.source.KafkaInput;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns Kafka records into images for the learner. Whatever cannot be used (not an ImageRecord,
 * no id, too large, not a decodable image, wrong number of channels) leaves through
 * {@link #DEAD_LETTERS} with its original bytes and the reason, and the stream goes on.
 */
public final class ImageRecordDecoder extends ProcessFunction<KafkaInput, LearnerInput> {

  /** Records that cannot be used, as encoded DeadLetterRecords for the dead-letter topic. */
  public static final OutputTag<KafkaOutput> DEAD_LETTERS =
      new OutputTag<>("dead-letters", TypeInformation.of(KafkaOutput.class));

  private final RecordCodec<ImageRecord> codec;
  private final JobConfig.Model model;
  private final JobConfig.Limits limits;
  private final DeadLetters deadLetters;
  private transient ImageDecoder images;
  private transient Counter deadLetterCount;

  public ImageRecordDecoder(JobConfig config) {
    RecordCodecs codecs = new RecordCodecs(config.records());
    this.codec = codecs.forTopic(ImageRecord.class, config.topics().images());
    this.model = config.model();
    this.limits = config.limits();
    this.deadLetters = new DeadLetters(config.topics().deadLetters(),
        codecs.forTopic(DeadLetterRecord.class, config.topics().deadLetters()));
  }

  @Override
  public void open(OpenContext context) {
    deadLetterCount = getRuntimeContext().getMetricGroup().counter("deadLetters");
  }

  @Override
  public void processElement(KafkaInput in, Context ctx, Collector<LearnerInput> out) {
    try {
      out.collect(decode(in));
    } catch (Rejected r) {
      deadLetterCount.inc();
      ctx.output(DEAD_LETTERS, deadLetter(in, r.getMessage(), ctx.timerService()
          .currentProcessingTime()));
    }
  }

  /** The dead-letter output of a rejected record. */
  public KafkaOutput deadLetter(KafkaInput in, String reason, long now) {
    return deadLetters.of(in, reason, now);
  }

  /** The learner's input, or {@link Rejected} with a reason a person can act on. */
  public LearnerInput decode(KafkaInput in) throws Rejected {
    if (in.value == null || in.value.length == 0) {
      throw new Rejected("empty record: no value bytes");
    }
    if (in.value.length > limits.maxRecordBytes()) {
      throw new Rejected("record of " + in.value.length + " bytes exceeds limits.maxRecordBytes = "
          + limits.maxRecordBytes());
    }
    ImageRecord record;
    try {
      record = codec.decode(in.value);
    } catch (UndecodableRecordException e) {
      throw new Rejected("not an ImageRecord: " + e.getMessage());
    }
    String id = record.getId();
    if (id == null || id.isBlank()) {
      throw new Rejected("ImageRecord without an id");
    }
    Image image = decodeImage(id, record);
    if (image.channels() != model.channels()) {
      throw new Rejected("image " + id + " has " + image.channels() + " channel(s); the models of "
          + "this job take " + model.channels() + " (model.channels)");
    }
    String modelId = record.getModelId() == null || record.getModelId().isBlank()
        ? model.defaultId() : record.getModelId();
    long eventTime = record.getEventTime() == null ? in.timestamp
        : record.getEventTime().toEpochMilli();
    return new LearnerInput(modelId, image, in.topic, in.partition, in.offset, eventTime);
  }

  private Image decodeImage(String id, ImageRecord r) throws Rejected {
    if (images == null) {
      images = new ImageDecoder(limits.maxPixels());
    }
    try {
      return ImageRecords.decode(r, images);
    } catch (InvalidImageException e) {
      throw new Rejected(e.getMessage());
    }
  }


  /** A record that cannot be used; the message is the dead letter's reason. */
  public static final class Rejected extends Exception {
    Rejected(String reason) {
      super(reason, null, false, false);
    }
  }
}
