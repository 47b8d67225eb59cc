package dev.contraflow.io.record;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * How an Avro record is framed in a Kafka value: a header naming the writer's schema, then the
 * Avro binary body. Both are standard, so records written by any Avro or Confluent client can be
 * read, and records written here can be read by them.
 */
public enum WireFormat {

  /**
   * Avro single-object encoding: marker {@code C3 01}, the 8-byte little-endian CRC-64-AVRO
   * fingerprint of the writer schema, the body. The default: it needs no registry, and the
   * fingerprint is enough to pick the writer schema among the versions a reader knows.
   */
  SINGLE_OBJECT("Avro single-object encoding", new byte[] {(byte) 0xC3, 0x01},
      "2-byte marker + 8-byte schema fingerprint", 10),

  /**
   * Confluent Schema Registry wire format: magic byte {@code 00}, the 4-byte big-endian id of the
   * writer schema in a registry, the body. For users who already run a registry and read the
   * topics with Confluent's serdes.
   */
  CONFLUENT("Confluent Schema Registry wire format", new byte[] {0x00},
      "magic byte + 4-byte schema id", 5);

  private static final int FIRST_BYTES_SHOWN = 2;

  private final String displayName;
  private final byte[] magic;
  private final String headerLayout;
  private final int headerLength;

  WireFormat(String displayName, byte[] magic, String headerLayout, int headerLength) {
    this.displayName = displayName;
    this.magic = magic;
    this.headerLayout = headerLayout;
    this.headerLength = headerLength;
  }

  /** Bytes before the Avro body: magic bytes and the schema's fingerprint or id. */
  public int headerLength() {
    return headerLength;
  }

  /** A header buffer with the magic bytes written, positioned at the schema's fingerprint or id. */
  ByteBuffer newHeader() {
    return ByteBuffer.allocate(headerLength).put(magic);
  }

  /** The schema's fingerprint or id in a header {@link #checkHeader} accepted. */
  ByteBuffer schemaReference(byte[] bytes) {
    return ByteBuffer.wrap(bytes, magic.length, headerLength - magic.length);
  }

  /** The format's name in prose, for messages: "Avro single-object encoding". */
  public String displayName() {
    return displayName;
  }

  /**
   * Refuses bytes that cannot hold a header of this format, saying what they look like instead:
   * a topic written in the other format is the usual mistake, and the reason should say so.
   */
  void checkHeader(byte[] bytes) throws UndecodableRecordException {
    if (bytes == null || bytes.length == 0) {
      throw new UndecodableRecordException("no bytes (the record is empty)");
    }
    if (!startsWithMagic(bytes)) {
      throw new UndecodableRecordException("not " + displayName + ": first bytes are "
          + HexFormat.ofDelimiter(" ").withPrefix("0x").withUpperCase().formatHex(
              bytes, 0, Math.min(bytes.length, FIRST_BYTES_SHOWN))
          + " (expected " + HexFormat.ofDelimiter(" ").withUpperCase().formatHex(magic) + ")"
          + otherFormatHint(bytes));
    }
    if (bytes.length < headerLength) {
      throw new UndecodableRecordException("truncated " + displayName + " header: "
          + bytes.length + " byte(s), expected at least " + headerLength + " (" + headerLayout
          + ")");
    }
  }

  private boolean startsWithMagic(byte[] bytes) {
    return bytes.length >= magic.length
        && Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length);
  }

  private String otherFormatHint(byte[] bytes) {
    return Arrays.stream(values())
        .filter(other -> other != this && other.startsWithMagic(bytes)
            && bytes.length >= other.headerLength)
        .findFirst()
        .map(other -> "; they look like " + other.displayName + ", so read this topic with "
            + "WireFormat." + other.name())
        .orElse("");
  }
}
