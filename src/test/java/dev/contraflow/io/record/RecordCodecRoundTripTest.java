package dev.contraflow.io.record;

import static dev.contraflow.io.record.SampleRecords.codec;
import static dev.contraflow.io.record.SampleRecords.codecOf;
import static dev.contraflow.io.record.JavaSerialization.serializedAndBack;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.ImageRecord;
import dev.contraflow.avro.SentenceRecord;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class RecordCodecRoundTripTest {

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource(SampleRecords.EVERY_RECORD_IN_EVERY_FORMAT)
  void everyRecordTypeComesBackEqualFromItsBytes(WireFormat format, SpecificRecord record)
      throws Exception {
    RecordCodec<SpecificRecord> codec = codecOf(format, record, registry);

    assertEquals(record, codec.decode(codec.encode(record)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource(SampleRecords.EVERY_RECORD_IN_EVERY_FORMAT)
  void aCodecStillWorksAfterJavaSerializationAsInAFlinkOperator(
      WireFormat format, SpecificRecord record) throws Exception {
    RecordCodec<SpecificRecord> codec = codecOf(format, record, registry);
    RecordCodec<SpecificRecord> shipped = serializedAndBack(codec);

    assertEquals(record, shipped.decode(codec.encode(record)));
    assertEquals(record, codec.decode(shipped.encode(record)));
  }

  @Test
  void singleObjectBytesAreWhatAvrosOwnMessageEncoderWrites() throws Exception {
    RecordCodec<ImageRecord> codec = RecordCodec.singleObject(ImageRecord.class);
    ImageRecord image = SampleRecords.image();

    assertArrayEquals(bytesOf(image.toByteBuffer()), codec.encode(image));
    assertEquals(image, ImageRecord.fromByteBuffer(ByteBuffer.wrap(codec.encode(image))));
  }

  @Test
  void confluentBytesAreMagicByteThenTheIdRegisteredUnderTheSubjectThenTheBody() {
    RecordCodec<SentenceRecord> codec = codec(WireFormat.CONFLUENT, SentenceRecord.class,
        registry);
    RecordCodec<SentenceRecord> singleObject = RecordCodec.singleObject(SentenceRecord.class);
    SentenceRecord sentence = SampleRecords.sentence();

    byte[] bytes = codec.encode(sentence);

    List<Integer> ids = registry.ids("SentenceRecord-value");
    assertEquals(1, ids.size());
    assertEquals(0, bytes[0]);
    assertEquals(ids.get(0), ByteBuffer.wrap(bytes, 1, 4).getInt());
    assertArrayEquals(bodyOf(WireFormat.SINGLE_OBJECT, singleObject.encode(sentence)),
        bodyOf(WireFormat.CONFLUENT, bytes));
  }

  @Test
  void confluentDecodingNeedsNoRegistrationOfItsOwn() throws Exception {
    RecordCodec<ImageRecord> writer = codec(WireFormat.CONFLUENT, ImageRecord.class, registry);
    RecordCodec<ImageRecord> reader = RecordCodec.confluent(ImageRecord.class, registry,
        "another-subject");

    assertEquals(SampleRecords.image(), reader.decode(writer.encode(SampleRecords.image())));
    assertEquals(List.of(), registry.ids("another-subject"));
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void codecsSayTheirWireFormat(WireFormat format) {
    assertEquals(format, codec(format, ImageRecord.class, registry).wireFormat());
  }

  @Test
  void confluentCodecRefusesABlankSubjectNamingTheExpectedForm() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RecordCodec.confluent(ImageRecord.class, registry, " "));

    assertTrue(e.getMessage().contains("images-value"), e.getMessage());
  }

  private static byte[] bodyOf(WireFormat format, byte[] bytes) {
    return Arrays.copyOfRange(bytes, format.headerLength(), bytes.length);
  }

  private static byte[] bytesOf(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
