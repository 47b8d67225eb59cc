package dev.contraflow.io.record;

import static dev.contraflow.io.record.SampleRecords.codec;
import static dev.contraflow.io.record.SampleRecords.codecOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.avro.SentenceRecord;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Whatever arrives, decoding ends in a record or in a reason for a dead letter. */
class RecordCodecUndecodableBytesTest {

  private static final byte[] HELLO = "hello world".getBytes(StandardCharsets.UTF_8);

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final RecordCodec<ImageRecord> singleObject = RecordCodec.singleObject(ImageRecord.class);
  private final RecordCodec<ImageRecord> confluent =
      codec(WireFormat.CONFLUENT, ImageRecord.class, registry);

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void nullAndEmptyBytesAreAnEmptyRecord(WireFormat format) {
    RecordCodec<ImageRecord> codec = codec(format, ImageRecord.class, registry);

    assertReason(codec, null, "no bytes (the record is empty)");
    assertReason(codec, new byte[0], "no bytes (the record is empty)");
  }

  @Test
  void garbageIsNotSingleObjectEncodingAndTheReasonShowsItsFirstBytes() {
    assertReason(singleObject, HELLO,
        "not Avro single-object encoding: first bytes are 0x68 0x65 (expected C3 01)");
  }

  @Test
  void garbageIsNotConfluentWireFormatAndTheReasonShowsItsFirstBytes() {
    assertReason(confluent, HELLO,
        "not Confluent Schema Registry wire format: first bytes are 0x68 0x65 (expected 00)");
  }

  @Test
  void confluentBytesOnASingleObjectTopicAreRecognisedAsSuch() {
    assertReason(singleObject, confluent.encode(SampleRecords.image()),
        "first bytes are 0x00 0x00 (expected C3 01); they look like Confluent Schema Registry "
            + "wire format, so read this topic with WireFormat.CONFLUENT");
  }

  @Test
  void singleObjectBytesOnAConfluentTopicAreRecognisedAsSuch() {
    assertReason(confluent, singleObject.encode(SampleRecords.image()),
        "first bytes are 0xC3 0x01 (expected 00); they look like Avro single-object encoding, "
            + "so read this topic with WireFormat.SINGLE_OBJECT");
  }

  @Test
  void aHeaderCutShortSaysHowLongItShouldBe() {
    assertReason(singleObject, new byte[] {(byte) 0xC3, 0x01, 0x7F},
        "truncated Avro single-object encoding header: 3 byte(s), expected at least 10 "
            + "(2-byte marker + 8-byte schema fingerprint)");
    assertReason(confluent, new byte[] {0x00, 0x00},
        "truncated Confluent Schema Registry wire format header: 2 byte(s), expected at least 5 "
            + "(magic byte + 4-byte schema id)");
  }

  @Test
  void anUnknownFingerprintIsNotARecordOfAnyKnownVersion() {
    byte[] bytes = singleObject.encode(SampleRecords.image());
    Arrays.fill(bytes, 2, 10, (byte) 0x11);

    assertReason(singleObject, bytes, "unknown schema fingerprint 0x1111111111111111 "
        + "(not an ImageRecord of any known version");
  }

  @Test
  void anotherRecordTypeOnTheTopicHasAnUnknownFingerprint() {
    byte[] sentence = RecordCodec.singleObject(SentenceRecord.class)
        .encode(SampleRecords.sentence());

    assertReason(singleObject, sentence, "unknown schema fingerprint");
  }

  @Test
  void anUnknownRegistryIdNamesTheIdAndTheRegistry() {
    byte[] bytes = confluent.encode(SampleRecords.image());
    bytes[4] = 17;

    assertReason(confluent, bytes,
        "unknown schema id 17 in registry " + registry.location());
  }

  @Test
  void anotherRecordTypeInTheRegistryCannotBeReadAsThisOne() {
    byte[] sentence = codec(WireFormat.CONFLUENT, SentenceRecord.class, registry)
        .encode(SampleRecords.sentence());

    assertReason(confluent, sentence, "is dev.contraflow.avro.SentenceRecord, which cannot be "
        + "read as ImageRecord");
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void aBodyCutShortIsTruncatedAndSaysWhere(WireFormat format) {
    RecordCodec<ImageRecord> codec = codec(format, ImageRecord.class, registry);
    byte[] bytes = codec.encode(SampleRecords.image());

    // id "img-1" (length + 5 bytes), encoding (1 byte), then the length of the 4 pixel bytes
    int twoPixelsIn = format.headerLength() + 6 + 1 + 1 + 2;
    assertReason(codec, Arrays.copyOf(bytes, twoPixelsIn),
        "truncated Avro body: ImageRecord.bytes needs 4 byte(s), but only 2 remain");
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void bytesAfterTheBodyAreLeftOver(WireFormat format) {
    RecordCodec<ImageRecord> codec = codec(format, ImageRecord.class, registry);
    byte[] bytes = codec.encode(SampleRecords.image());

    assertReason(codec, Arrays.copyOf(bytes, bytes.length + 2),
        "2 byte(s) left over after the ImageRecord body");
  }

  @Test
  void anEnumSymbolOutOfRangeIsMalformed() {
    byte[] bytes = singleObjectBytes(singleObject, SampleRecords.image(), out -> {
      out.writeBytes(string("a"));
      out.writeBytes(varint(99));  // encoding: 3 symbols
    });

    assertReason(singleObject, bytes, "malformed Avro body: ImageRecord.encoding has "
        + "ImageEncoding symbol 99, but there are only 3");
  }

  @Test
  void aFewBytesClaimingABillionFloatsAreRefusedBeforeAnythingIsAllocated() {
    RecordCodec<EmbeddingRecord> codec = RecordCodec.singleObject(EmbeddingRecord.class);
    byte[] bytes = singleObjectBytes(codec, SampleRecords.embedding(), out -> {
      out.writeBytes(string("a"));  // id
      out.write(0);  // modality IMAGE
      out.writeBytes(string("m"));  // modelId
      out.write(0);  // modelVersion 0
      out.write(0);  // checkpointId null
      out.write(0);  // configHash null
      out.write(0);  // dim 0
      out.write(1);  // normalized
      out.writeBytes(varint(1_000_000_000));  // vector: 4 GB of floats, were Avro to believe it
    });

    assertReason(codec, bytes,
        "truncated Avro body: EmbeddingRecord.vector claims 1000000000 item(s), but only 0 byte(s)"
            + " remain");
  }

  @Test
  void aStringLongerThanTheRecordIsRefusedBeforeAnythingIsAllocated() {
    byte[] bytes = singleObjectBytes(singleObject, SampleRecords.image(),
        out -> out.writeBytes(varint(1_500_000_000L)));

    assertReason(singleObject, bytes,
        "truncated Avro body: ImageRecord.id needs 1500000000 byte(s), but only 0 remain");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource(SampleRecords.EVERY_RECORD_IN_EVERY_FORMAT)
  void everyCutOfARecordIsUndecodable(WireFormat format, SpecificRecord record) {
    RecordCodec<SpecificRecord> codec = codecOf(format, record, registry);
    byte[] bytes = codec.encode(record);

    for (int length = 0; length < bytes.length; length++) {
      byte[] cut = Arrays.copyOf(bytes, length);
      assertThrows(UndecodableRecordException.class, () -> codec.decode(cut), "cut at " + length);
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource(SampleRecords.EVERY_RECORD_IN_EVERY_FORMAT)
  void corruptedBytesDecodeOrAreUndecodableButNeverThrowAnythingElse(
      WireFormat format, SpecificRecord record) {
    RecordCodec<SpecificRecord> codec = codecOf(format, record, registry);
    byte[] bytes = codec.encode(record);
    Random random = new Random(7);

    for (int trial = 0; trial < 500; trial++) {
      byte[] corrupt = bytes.clone();
      for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
        corrupt[random.nextInt(corrupt.length)] = (byte) random.nextInt(256);
      }
      try {
        codec.decode(corrupt);
      } catch (UndecodableRecordException expected) {
        // a reason for a dead letter: fine
      }
    }
  }

  private static void assertReason(RecordCodec<?> codec, byte[] bytes, String expected) {
    UndecodableRecordException e =
        assertThrows(UndecodableRecordException.class, () -> codec.decode(bytes));
    assertTrue(e.getMessage().contains(expected),
        () -> "expected a reason containing\n  " + expected + "\nbut got\n  " + e.getMessage());
  }

  /** The single-object header of {@code codec} followed by a hand-written body. */
  private static <T extends SpecificRecord> byte[] singleObjectBytes(
      RecordCodec<T> codec, T sample, Consumer<ByteArrayOutputStream> body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(Arrays.copyOf(codec.encode(sample), WireFormat.SINGLE_OBJECT.headerLength()));
    body.accept(out);
    return out.toByteArray();
  }

  private static byte[] string(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(varint(utf8.length));
    out.writeBytes(utf8);
    return out.toByteArray();
  }

  /** Avro's zig-zag varint. */
  private static byte[] varint(long n) {
    long zigzag = (n << 1) ^ (n >> 63);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while ((zigzag & ~0x7FL) != 0) {
      out.write((int) ((zigzag & 0x7F) | 0x80));
      zigzag >>>= 7;
    }
    out.write((int) zigzag);
    return out.toByteArray();
  }
}
