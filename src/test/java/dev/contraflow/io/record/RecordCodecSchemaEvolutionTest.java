package dev.contraflow.io.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contraflow.avro.ImageEncoding;
import dev.contraflow.avro.ImageRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * Records outlive the code that wrote them: readers of the current ImageRecord read records
 * written with an older schema (before {@code encoding} was added, with default PNG) and with a
 * newer one (with an added {@code licence}). Both are built from schemas/ImageRecord.avsc, and
 * written with Avro's own generic writers, as another producer would.
 */
class RecordCodecSchemaEvolutionTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Schema older = imageRecordSchema(fields -> fields.remove(fieldIndex(fields,
      "encoding")));
  private final Schema newer = imageRecordSchema(fields -> fields.addObject()
      .put("name", "licence").put("type", "string").put("default", "CC0"));
  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

  @Test
  void singleObjectReaderGivenTheOlderSchemaReadsItsRecordsWithTheNewFieldsDefault()
      throws Exception {
    RecordCodec<ImageRecord> reader = RecordCodec.singleObject(ImageRecord.class, List.of(older));

    ImageRecord read = reader.decode(singleObject(older, writtenWith(older)));

    assertEquals(ImageEncoding.PNG, read.getEncoding());
    assertEquals("old-1", read.getId());
    assertEquals(SampleRecords.EVENT_TIME, read.getEventTime());
  }

  @Test
  void singleObjectReaderNotGivenTheOlderSchemaSaysItDoesNotKnowIt() {
    RecordCodec<ImageRecord> reader = RecordCodec.singleObject(ImageRecord.class);

    UndecodableRecordException e = assertThrows(UndecodableRecordException.class,
        () -> reader.decode(singleObject(older, writtenWith(older))));

    assertTrue(e.getMessage().startsWith("unknown schema fingerprint"), e.getMessage());
  }

  @Test
  void singleObjectReaderGivenANewerSchemaIgnoresTheAddedField() throws Exception {
    RecordCodec<ImageRecord> reader = RecordCodec.singleObject(ImageRecord.class, List.of(newer));

    ImageRecord read = reader.decode(singleObject(newer, writtenWith(newer)));

    assertEquals("old-1", read.getId());
    assertEquals(ImageEncoding.JPEG, read.getEncoding());
  }

  @Test
  void anOlderSchemaThatCannotBeResolvedIsRefusedWhenTheCodecIsMade() {
    Schema withoutId = imageRecordSchema(fields -> fields.remove(fieldIndex(fields, "id")));

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RecordCodec.singleObject(ImageRecord.class, List.of(withoutId)));

    assertTrue(e.getMessage().contains("cannot be read as ImageRecord"), e.getMessage());
    assertTrue(e.getMessage().contains("id"), e.getMessage());
  }

  @Test
  void confluentReaderReadsRecordsWrittenWithTheOlderSchemaFromTheRegistry() throws Exception {
    RecordCodec<ImageRecord> reader = RecordCodec.confluent(ImageRecord.class, registry,
        "images-value");
    int olderId = registry.register("images-value", older);

    ImageRecord read = reader.decode(confluent(olderId, older, writtenWith(older)));

    assertEquals(ImageEncoding.PNG, read.getEncoding());
    assertEquals("old-1", read.getId());
  }

  @Test
  void confluentReaderReadsRecordsWrittenWithANewerSchemaIgnoringTheAddedField()
      throws Exception {
    RecordCodec<ImageRecord> reader = RecordCodec.confluent(ImageRecord.class, registry,
        "images-value");
    int newerId = registry.register("images-value", newer);

    ImageRecord read = reader.decode(confluent(newerId, newer, writtenWith(newer)));

    assertEquals(ImageEncoding.JPEG, read.getEncoding());
    assertEquals(Map.of("camera", "3"), read.getAttributes());
  }

  /** An ImageRecord of {@code schema}, with "encoding" JPEG where the schema has it. */
  private static GenericRecord writtenWith(Schema schema) {
    GenericRecordBuilder record = new GenericRecordBuilder(schema)
        .set("id", "old-1")
        .set("bytes", ByteBuffer.wrap(new byte[] {1, 2, 3}))
        .set("eventTime", SampleRecords.EVENT_TIME.toEpochMilli())
        .set("attributes", Map.of("camera", "3"));
    if (schema.getField("encoding") != null) {
      record.set("encoding", new GenericData.EnumSymbol(
          schema.getField("encoding").schema(), "JPEG"));
    }
    return record.build();
  }

  private static byte[] singleObject(Schema schema, GenericRecord record) throws IOException {
    ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema)
        .encode(record);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  /** The Confluent wire format as its documentation gives it, independent of the codec. */
  private static byte[] confluent(int id, Schema schema, GenericRecord record)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  /** schemas/ImageRecord.avsc with its fields edited. */
  private static Schema imageRecordSchema(Consumer<ArrayNode> edit) {
    try {
      ObjectNode avsc = (ObjectNode) JSON.readTree(Path.of("schemas", "ImageRecord.avsc")
          .toFile());
      edit.accept((ArrayNode) avsc.get("fields"));
      return new Schema.Parser().parse(avsc.toString());
    } catch (IOException e) {
      throw new IllegalStateException("schemas/ImageRecord.avsc unreadable from "
          + Path.of("").toAbsolutePath(), e);
    }
  }

  private static int fieldIndex(ArrayNode fields, String name) {
    for (int i = 0; i < fields.size(); i++) {
      if (name.equals(fields.get(i).get("name").asText())) {
        return i;
      }
    }
    throw new IllegalArgumentException("ImageRecord.avsc has no field " + name);
  }
}
