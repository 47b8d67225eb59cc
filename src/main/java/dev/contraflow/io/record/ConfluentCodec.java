package dev.contraflow.io.record;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * {@link WireFormat#CONFLUENT}: the bytes Confluent's KafkaAvroSerializer writes and its
 * deserializer reads, with writer schemas fetched from a {@link SchemaRegistry} by id.
 */
final class ConfluentCodec<T extends SpecificRecord> implements RecordCodec<T> {

  private static final long serialVersionUID = 1L;

  private final Class<T> type;
  private final SchemaRegistry registry;
  private final String subject;

  private final transient RecordBody<T> body;
  private final transient ConcurrentMap<Integer, RecordBody.Reader<T>> readersById =
      new ConcurrentHashMap<>();
  /** Registered on the first encode, so a job that only reads never writes to the registry. */
  private transient volatile byte[] header;

  ConfluentCodec(Class<T> type, SchemaRegistry registry, String subject) {
    this.type = type;
    this.body = new RecordBody<>(type);
    this.registry = Objects.requireNonNull(registry,
        "registry must not be null; use HttpSchemaRegistry or InMemorySchemaRegistry");
    if (subject == null || subject.isBlank()) {
      throw new IllegalArgumentException("subject must name a Schema Registry subject, e.g. "
          + "\"images-value\" for the topic images, got " + (subject == null ? "null"
          : "\"" + subject + "\""));
    }
    this.subject = subject;
  }

  @Override
  public byte[] encode(T record) {
    byte[] registered = header;
    if (registered == null) {
      // Racing threads register the same schema and get the same id: harmless.
      int id = registry.register(subject, body.schema());
      registered = WireFormat.CONFLUENT.newHeader().putInt(id).array();
      header = registered;
    }
    return body.write(registered, record);
  }

  @Override
  public T decode(byte[] bytes) throws UndecodableRecordException {
    WireFormat.CONFLUENT.checkHeader(bytes);
    int id = WireFormat.CONFLUENT.schemaReference(bytes).getInt();
    RecordBody.Reader<T> reader = readersById.get(id);
    if (reader == null) {
      reader = readerFor(id);
      readersById.put(id, reader);
    }
    return reader.read(bytes, WireFormat.CONFLUENT.headerLength());
  }

  private RecordBody.Reader<T> readerFor(int id) throws UndecodableRecordException {
    Schema writer;
    try {
      writer = registry.schemaById(id);
    } catch (UnknownSchemaIdException e) {
      throw new UndecodableRecordException(e.getMessage(), e);
    }
    String why = body.incompatibility(writer).orElse(null);
    if (why != null) {
      throw new UndecodableRecordException("schema id " + id + " in registry "
          + registry.location() + " is " + writer.getFullName() + ", which cannot be read as "
          + body.name() + ": " + why);
    }
    return body.readerFor(writer);
  }

  @Override
  public WireFormat wireFormat() {
    return WireFormat.CONFLUENT;
  }

  @Override
  public String toString() {
    return WireFormat.CONFLUENT.displayName() + " of " + body.name() + " (subject " + subject + " in registry "
        + registry.location() + ")";
  }

  /** Transient parts are Avro readers and writers: build them anew; the registry caches ids. */
  private Object readResolve() {
    return new ConfluentCodec<>(type, registry, subject);
  }
}
