package dev.contraflow.io.record;

import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.avro.Schema;

/**
 * Walks an Avro binary body with its writer schema, without decoding it, and refuses it unless
 * every length, count, enum symbol and union branch fits the bytes that are there and nothing is
 * left over.
 *
 * <p>Why not let Avro find out: Avro allocates what a length claims before reading it. Five
 * garbage bytes claiming a 1.5 GB string cost 1.5 GB and a second and a half before the
 * EOFException; a float array claiming a billion items is an OutOfMemoryError, which kills the
 * task manager, and the same record replayed after the restart kills it again. Here a claim is
 * checked against the bytes remaining (an item takes at least one byte; arrays of zero-byte items
 * longer than the record are refused too), so a record that passes decodes with allocations
 * bounded by its own size.
 */
final class BinaryDatumBounds {

  private static final int MAX_INT_VARINT_BYTES = 5;
  private static final int MAX_LONG_VARINT_BYTES = 10;

  private final byte[] bytes;
  private final Deque<String> path = new ArrayDeque<>();
  private int position;

  private BinaryDatumBounds(byte[] bytes, int offset) {
    this.bytes = bytes;
    this.position = offset;
  }

  /** Checks the body of {@code writer}'s datum starting at {@code offset} up to the array's end. */
  static void check(Schema writer, byte[] bytes, int offset) throws UndecodableRecordException {
    BinaryDatumBounds walk = new BinaryDatumBounds(bytes, offset);
    walk.path.add(writer.getName());
    walk.skip(writer);
    if (walk.remaining() > 0) {
      throw new UndecodableRecordException(walk.remaining() + " byte(s) left over after the "
          + writer.getName() + " body (corrupt, or written with another schema than its header "
          + "names)");
    }
  }

  private void skip(Schema schema) throws UndecodableRecordException {
    switch (schema.getType()) {
      case NULL -> { }
      case BOOLEAN -> take(1);
      case INT -> varint(MAX_INT_VARINT_BYTES);
      case LONG -> varint(MAX_LONG_VARINT_BYTES);
      case FLOAT -> take(Float.BYTES);
      case DOUBLE -> take(Double.BYTES);
      case STRING, BYTES -> take(length());
      case FIXED -> take(schema.getFixedSize());
      case ENUM -> index(schema.getEnumSymbols().size(), schema.getName() + " symbol");
      case UNION -> skip(schema.getTypes().get(index(schema.getTypes().size(), "union branch")));
      case RECORD -> skipFields(schema);
      case ARRAY -> skipBlocks(false, schema.getElementType());
      case MAP -> skipBlocks(true, schema.getValueType());
      default -> throw new IllegalStateException("Avro type " + schema.getType() + " unknown");
    }
  }

  private void skipFields(Schema record) throws UndecodableRecordException {
    for (Schema.Field field : record.getFields()) {
      path.addLast(field.name());
      skip(field.schema());
      path.removeLast();
    }
  }

  /**
   * Arrays and maps are blocks of items, each block led by its count; count 0 ends them. A map
   * item is a string key and a value.
   */
  private void skipBlocks(boolean keyed, Schema item) throws UndecodableRecordException {
    for (long count = blockCount(); count != 0; count = blockCount()) {
      path.addLast("[]");
      for (long i = 0; i < count; i++) {
        if (keyed) {
          take(length());
        }
        skip(item);
      }
      path.removeLast();
    }
  }

  private long blockCount() throws UndecodableRecordException {
    long count = varint(MAX_LONG_VARINT_BYTES);
    if (count < 0) {
      // A negative count is followed by the block's size in bytes, so readers can skip it.
      count = count == Long.MIN_VALUE ? count : -count;
      varint(MAX_LONG_VARINT_BYTES);
    }
    if (count < 0 || count > remaining()) {
      throw new UndecodableRecordException("truncated Avro body: " + where() + " claims " + count
          + " item(s), but only " + remaining() + " byte(s) remain");
    }
    return count;
  }

  private int index(int size, String what) throws UndecodableRecordException {
    long index = varint(MAX_INT_VARINT_BYTES);
    if (index < 0 || index >= size) {
      throw new UndecodableRecordException("malformed Avro body: " + where() + " has " + what
          + " " + index + ", but there are only " + size);
    }
    return (int) index;
  }

  private long length() throws UndecodableRecordException {
    long length = varint(MAX_LONG_VARINT_BYTES);
    if (length < 0) {
      throw new UndecodableRecordException("malformed Avro body: " + where()
          + " has negative length " + length);
    }
    return length;
  }

  private void take(long count) throws UndecodableRecordException {
    if (count > remaining()) {
      throw new UndecodableRecordException("truncated Avro body: " + where() + " needs " + count
          + " byte(s), but only " + remaining() + " remain");
    }
    position += (int) count;
  }

  /** A zig-zag variable-length integer, as Avro writes int and long. */
  private long varint(int maxBytes) throws UndecodableRecordException {
    long raw = 0;
    for (int shift = 0, read = 0; read < maxBytes; shift += 7, read++) {
      if (remaining() == 0) {
        throw new UndecodableRecordException("truncated Avro body: " + where()
            + " ends inside a number");
      }
      int b = bytes[position++] & 0xFF;
      raw |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw new UndecodableRecordException("malformed Avro body: " + where()
        + " holds a number longer than " + maxBytes + " bytes");
  }

  private int remaining() {
    return bytes.length - position;
  }

  private String where() {
    return String.join(".", path).replace(".[]", "[]");
  }
}
