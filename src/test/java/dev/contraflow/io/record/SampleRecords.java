package dev.contraflow.io.record;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.ImageEncoding;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.avro.Modality;
import dev.contraflow.avro.PairRecord;
import dev.contraflow.avro.SentenceRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.provider.Arguments;

/** One small, obvious record of each generated type, and the codecs the tests read them with. */
final class SampleRecords {

  static final Instant EVENT_TIME = Instant.parse("2024-05-01T12:00:00Z");

  private SampleRecords() {
  }

  static ImageRecord image() {
    return ImageRecord.newBuilder()
        .setId("img-1")
        .setEncoding(ImageEncoding.RAW)
        .setBytes(ByteBuffer.wrap(new byte[] {0, 64, (byte) 128, (byte) 255}))
        .setWidth(2).setHeight(2).setChannels(1)
        .setSource("fashion-mnist/test/0")
        .setEventTime(EVENT_TIME)
        .setAttributes(Map.of("split", "test"))
        .build();
  }

  static SentenceRecord sentence() {
    return SentenceRecord.newBuilder()
        .setId("s-1")
        .setText("A cat sits on the mat.")
        .setLanguage("en")
        .setPositive("There is a cat on the mat.")
        .setEventTime(EVENT_TIME)
        .build();
  }

  static PairRecord pair() {
    return PairRecord.newBuilder()
        .setId("p-1")
        .setImage(image())
        .setText("a grey square")
        .setModelId("clip-small")
        .setEventTime(EVENT_TIME)
        .build();
  }

  static EmbeddingRecord embedding() {
    return EmbeddingRecord.newBuilder()
        .setId("img-1")
        .setModality(Modality.IMAGE)
        .setModelId("moco")
        .setModelVersion(42)
        .setCheckpointId("ab12")
        .setDim(3)
        .setNormalized(true)
        .setVector(List.of(0.6f, 0.8f, 0f))
        .setSourceTopic("images").setSourcePartition(1).setSourceOffset(7)
        .setEventTime(EVENT_TIME)
        .setEmittedAt(EVENT_TIME.plusSeconds(1))
        .build();
  }

  static CheckpointRecord checkpoint() {
    return CheckpointRecord.newBuilder()
        .setModelId("moco")
        .setModelVersion(42)
        .setUri("file:///tmp/moco-42.zip")
        .setSha256("ab12")
        .setSizeBytes(2_000_000)
        .setMethod("MOCO")
        .setConfig("{\"queueSize\":4096}")
        .setMetrics(Map.of("loss", 4.2, "knnAccuracy", 0.8))
        .setCreatedAt(EVENT_TIME)
        .build();
  }

  static DeadLetterRecord deadLetter() {
    return DeadLetterRecord.newBuilder()
        .setSourceTopic("images").setPartition(0).setOffset(3)
        .setKey(null)
        .setValue(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)))
        .setReason("not Avro single-object encoding")
        .setFailedAt(EVENT_TIME)
        .build();
  }

  static List<SpecificRecord> oneOfEach() {
    return List.of(image(), sentence(), pair(), embedding(), checkpoint(), deadLetter());
  }

  /** For {@code @MethodSource}: (WireFormat, SpecificRecord) for every format and record type. */
  static final String EVERY_RECORD_IN_EVERY_FORMAT =
      "dev.contraflow.io.record.SampleRecords#everyRecordInEveryFormat";

  static Stream<Arguments> everyRecordInEveryFormat() {
    return Arrays.stream(WireFormat.values()).flatMap(format -> oneOfEach().stream()
        .map(record -> Arguments.of(format, record)));
  }

  /** A codec of {@code format}; Confluent ones register under "{type}-value" in {@code registry}. */
  static <T extends SpecificRecord> RecordCodec<T> codec(
      WireFormat format, Class<T> type, SchemaRegistry registry) {
    return switch (format) {
      case SINGLE_OBJECT -> RecordCodec.singleObject(type);
      case CONFLUENT -> RecordCodec.confluent(type, registry, type.getSimpleName() + "-value");
    };
  }

  /** The codec for {@code record}'s own class. */
  @SuppressWarnings("unchecked")
  static RecordCodec<SpecificRecord> codecOf(
      WireFormat format, SpecificRecord record, SchemaRegistry registry) {
    return codec(format, (Class<SpecificRecord>) record.getClass(), registry);
  }
}
