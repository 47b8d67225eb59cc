package dev.contraflow.io.record;

import java.nio.ByteOrder;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;

/**
 * {@link WireFormat#SINGLE_OBJECT}: byte for byte what Avro's {@code BinaryMessageEncoder} writes,
 * read here with a bounds check of the body first (see {@link BinaryDatumBounds}) and with
 * reasons a person can act on.
 */
final class SingleObjectCodec<T extends SpecificRecord> implements RecordCodec<T> {

  private static final long serialVersionUID = 1L;

  private final Class<T> type;
  private final List<Schema> olderWriterSchemas;

  private final transient RecordBody<T> body;
  private final transient byte[] header;
  private final transient Map<Long, RecordBody.Reader<T>> readersByFingerprint = new HashMap<>();

  SingleObjectCodec(Class<T> type, Collection<Schema> olderWriterSchemas) {
    this.type = type;
    this.body = new RecordBody<>(type);
    this.olderWriterSchemas = List.copyOf(Objects.requireNonNull(olderWriterSchemas,
        "olderWriterSchemas must not be null; pass List.of() when there are none"));
    this.header = header(fingerprint(body.schema()));
    readersByFingerprint.put(fingerprint(body.schema()), body.readerFor(body.schema()));
    for (Schema older : this.olderWriterSchemas) {
      addOlder(older);
    }
  }

  private void addOlder(Schema older) {
    body.incompatibility(older).ifPresent(why -> {
      throw new IllegalArgumentException("older writer schema " + older.getFullName() + " "
          + String.format("0x%016X", fingerprint(older)) + " cannot be read as " + body.name()
          + ": " + why + "; drop it from the older schemas, or give the new fields defaults");
    });
    // Schemas differing only in docs or defaults share a fingerprint and a binary layout.
    readersByFingerprint.putIfAbsent(fingerprint(older), body.readerFor(older));
  }

  @Override
  public byte[] encode(T record) {
    return body.write(header, record);
  }

  @Override
  public T decode(byte[] bytes) throws UndecodableRecordException {
    WireFormat.SINGLE_OBJECT.checkHeader(bytes);
    long fingerprint = WireFormat.SINGLE_OBJECT.schemaReference(bytes)
        .order(ByteOrder.LITTLE_ENDIAN).getLong();
    RecordBody.Reader<T> reader = readersByFingerprint.get(fingerprint);
    if (reader == null) {
      throw new UndecodableRecordException(String.format("unknown schema fingerprint 0x%016X "
          + "(not %s of any known version; this reader knows %d: older writer schemas are given "
          + "to RecordCodec.singleObject(%s.class, olderWriterSchemas))", fingerprint,
          withArticle(body.name()), readersByFingerprint.size(), body.name()));
    }
    return reader.read(bytes, WireFormat.SINGLE_OBJECT.headerLength());
  }

  @Override
  public WireFormat wireFormat() {
    return WireFormat.SINGLE_OBJECT;
  }

  @Override
  public String toString() {
    return WireFormat.SINGLE_OBJECT.displayName() + " of " + body.name() + " (" + readersByFingerprint.size()
        + " known schema version(s))";
  }

  /** Avro's CRC-64-AVRO of the schema's parsing canonical form, as the header carries it. */
  private static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  private static byte[] header(long fingerprint) {
    return WireFormat.SINGLE_OBJECT.newHeader().order(ByteOrder.LITTLE_ENDIAN)
        .putLong(fingerprint).array();
  }

  private static String withArticle(String name) {
    return ("AEIOU".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name;
  }

  /** Transient parts are Avro readers and writers: build them anew from the type and schemas. */
  private Object readResolve() {
    return new SingleObjectCodec<>(type, olderWriterSchemas);
  }
}
