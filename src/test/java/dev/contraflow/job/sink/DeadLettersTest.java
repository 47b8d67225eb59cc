package dev.contraflow.job.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.io.record.InMemorySchemaRegistry;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.learner.ModelPublisher;
import dev.contraflow.job.source.KafkaInput;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/** A dead letter fits the dead-letter topic, whatever the record it carries (issue 15). */
class DeadLettersTest {

  private static final int MAX = 1 << 20;
  private static final RecordCodec<DeadLetterRecord> CODEC =
      RecordCodec.singleObject(DeadLetterRecord.class);
  private final DeadLetters deadLetters = new DeadLetters("dlq", CODEC, MAX);

  @Test
  void aValueLargerThanTheLimitIsCutAndItsLengthAndDigestKept() throws Exception {
    byte[] value = new byte[5 << 20];
    Arrays.fill(value, (byte) 7);
    value[value.length - 1] = 1; // only the digest of the whole value sees this byte
    byte[] key = new byte[100_000];
    KafkaOutput out = deadLetters.of(new KafkaInput("images", 3, 17, 0, key, value),
        "x".repeat(50_000), 99);

    assertTrue(out.value.length + out.key.length <= MAX,
        "on the wire: " + (out.value.length + out.key.length));
    DeadLetterRecord r = CODEC.decode(out.value);
    assertTrue(r.getTruncated());
    assertEquals(value.length, r.getValueSize());
    assertEquals(ModelPublisher.sha256(value), r.getValueSha256());
    byte[] kept = new byte[r.getValue().remaining()];
    r.getValue().get(kept);
    assertArrayEquals(Arrays.copyOf(value, kept.length), kept, "the value's first bytes");
    assertEquals(DeadLetters.KEY_BYTES, r.getKey().remaining());
    assertEquals(DeadLetters.REASON_CHARS, r.getReason().length());
    assertEquals(3, r.getPartition());
    assertEquals(17, r.getOffset());
  }

  @Test
  void aSmallRecordTravelsWholeWithItsDigest() throws Exception {
    byte[] value = {1, 2, 3};
    DeadLetterRecord r = CODEC.decode(deadLetters.of(new KafkaInput("images", 0, 1, 0, null,
        value), "not an ImageRecord", 5).value);
    assertFalse(r.getTruncated());
    assertEquals(ByteBuffer.wrap(value), r.getValue());
    assertEquals(3, r.getValueSize());
    assertEquals(ModelPublisher.sha256(value), r.getValueSha256());
    assertNull(r.getKey());
  }

  @Test
  void theLimitIsASetting() {
    var config = JobConfigLoader.defaults(List.of("limits.maxDeadLetterBytes=131072"));
    KafkaOutput out = DeadLetters.of(config).of(new KafkaInput("images", 0, 1, 0, null,
        new byte[1 << 20]), "too large", 0);
    assertTrue(out.value.length <= 131072, "encoded: " + out.value.length);
  }

  /** A dead letter written before valueSize, valueSha256 and truncated existed. */
  @Test
  void deadLettersOfTheOlderSchemaAreReadWithTheNewFieldsDefaults() throws Exception {
    Schema older = olderSchema();
    GenericRecord old = new GenericRecordBuilder(older).set("sourceTopic", "images")
        .set("partition", 0).set("offset", 4L).set("value", ByteBuffer.wrap(new byte[] {9}))
        .set("reason", "empty record").set("failedAt", 1000L).build();

    ByteBuffer single = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), older)
        .encode(old);
    byte[] singleBytes = new byte[single.remaining()];
    single.get(singleBytes);
    DeadLetterRecord read = RecordCodec.singleObject(DeadLetterRecord.class, List.of(older))
        .decode(singleBytes);
    assertNull(read.getValueSize());
    assertNull(read.getValueSha256());
    assertFalse(read.getTruncated());
    assertEquals("empty record", read.getReason());

    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    int id = registry.register("dlq-value", older);
    ByteArrayOutputStream confluent = new ByteArrayOutputStream();
    confluent.write(0);
    confluent.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(confluent, null);
    new GenericDatumWriter<GenericRecord>(older).write(old, encoder);
    encoder.flush();
    DeadLetterRecord viaRegistry = RecordCodec.confluent(DeadLetterRecord.class, registry,
        "dlq-value").decode(confluent.toByteArray());
    assertEquals(4, viaRegistry.getOffset());
    assertFalse(viaRegistry.getTruncated());
  }

  @Test
  void everyAddedFieldHasADefault() throws Exception {
    Set<String> added = Set.of("valueSize", "valueSha256", "truncated");
    for (Schema.Field f : DeadLetterRecord.getClassSchema().getFields()) {
      if (added.contains(f.name())) {
        assertTrue(f.hasDefaultValue(), f.name() + " needs a default for older writers");
      }
    }
  }

  /** schemas/DeadLetterRecord.avsc without the fields issue 15 added. */
  private static Schema olderSchema() throws Exception {
    ObjectNode avsc = (ObjectNode) new ObjectMapper().readTree(
        Path.of("schemas", "DeadLetterRecord.avsc").toFile());
    ArrayNode fields = (ArrayNode) avsc.get("fields");
    for (int i = fields.size() - 1; i >= 0; i--) {
      if (Set.of("valueSize", "valueSha256", "truncated")
          .contains(fields.get(i).get("name").asText())) {
        fields.remove(i);
      }
    }
    return new Schema.Parser().parse(avsc.toString());
  }
}
