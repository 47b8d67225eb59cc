package dev.contraflow.job.decode;

import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.io.record.UndecodableRecordException;
import dev.contraflow.job.RecordCodecs;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.sink.DeadLetters;
import dev.contraflow.job.sink.KafkaOutput;
import dev.contraflow.job.source.KafkaInput;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns the Kafka records of one input topic into learner inputs. Whatever cannot be used (empty,
 * too large, not a record of the topic's type, or refused by the subclass) leaves through
 * {@link #DEAD_LETTERS} with its original bytes and the reason, and the stream goes on.
 *
 * @param <R> the Avro record type of the topic
 * @param <O> the learner input
 */
public abstract class RecordDecoder<R extends SpecificRecord, O extends KeyedInput>
    extends ProcessFunction<KafkaInput, O> {

  /** Records that cannot be used, as encoded DeadLetterRecords for the dead-letter topic. */
  public static final OutputTag<KafkaOutput> DEAD_LETTERS =
      new OutputTag<>("dead-letters", TypeInformation.of(KafkaOutput.class));

  private final RecordCodec<R> codec;
  private final String typeName;
  private final int maxRecordBytes;
  private final DeadLetters deadLetters;
  private transient Counter deadLetterCount;

  protected RecordDecoder(JobConfig config, Class<R> type, String topic) {
    RecordCodecs codecs = new RecordCodecs(config.records());
    this.codec = codecs.forTopic(type, topic);
    this.typeName = type.getSimpleName();
    this.maxRecordBytes = config.limits().maxRecordBytes();
    this.deadLetters = DeadLetters.of(config);
  }

  @Override
  public void open(OpenContext context) {
    deadLetterCount = getRuntimeContext().getMetricGroup().counter("deadLetters");
  }

  @Override
  public void processElement(KafkaInput in, Context ctx, Collector<O> out) {
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
  public O decode(KafkaInput in) throws Rejected {
    if (in.value == null || in.value.length == 0) {
      throw new Rejected("empty record: no value bytes");
    }
    if (in.value.length > maxRecordBytes) {
      throw new Rejected("record of " + in.value.length + " bytes exceeds limits.maxRecordBytes = "
          + maxRecordBytes);
    }
    R record;
    try {
      record = codec.decode(in.value);
    } catch (UndecodableRecordException e) {
      throw new Rejected("not a" + (typeName.matches("[AEIOU].*") ? "n " : " ") + typeName + ": "
          + e.getMessage());
    }
    return toInput(record, in);
  }

  /** The learner input of a decoded record, or {@link Rejected}. */
  protected abstract O toInput(R record, KafkaInput in) throws Rejected;

  /** A required id, or {@link Rejected}. */
  protected final String requireId(CharSequence id) throws Rejected {
    if (id == null || id.toString().isBlank()) {
      throw new Rejected(typeName + " without an id");
    }
    return id.toString();
  }

  /**
   * The record's own model key, else the default one; an id that breaks {@link ModelIds}' rule
   * is {@link Rejected}.
   */
  protected static String modelIdOr(CharSequence modelId, String defaultId) throws Rejected {
    if (modelId == null || modelId.toString().isBlank()) {
      return defaultId;
    }
    String id = modelId.toString();
    String problem = ModelIds.problem(id);
    if (problem != null) {
      throw new Rejected(problem);
    }
    return id;
  }

  /** The record's event time, else the Kafka record's timestamp. */
  protected static long eventTime(Instant recordTime, KafkaInput in) {
    return recordTime == null ? in.timestamp : recordTime.toEpochMilli();
  }

  /** A record that cannot be used; the message is the dead letter's reason. */
  public static final class Rejected extends Exception {
    public Rejected(String reason) {
      super(reason, null, false, false);
    }
  }
}
