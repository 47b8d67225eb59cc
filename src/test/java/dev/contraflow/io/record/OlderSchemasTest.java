package dev.contraflow.io.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.CheckpointStatus;
import dev.contraflow.avro.EmbeddingKind;
import dev.contraflow.avro.EmbeddingRecord;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * Records written before issue 13 added EmbeddingRecord.kind and CheckpointRecord.status, reason
 * and embeddings are still read by the default single-object codec, with the new fields'
 * defaults.
 */
class OlderSchemasTest {

  private static Schema version1(String name) throws Exception {
    try (InputStream in = OlderSchemasTest.class.getResourceAsStream(
        "/dev/contraflow/avro/older/" + name + "-1.avsc")) {
      return new Schema.Parser().parse(in);
    }
  }

  private static byte[] singleObject(Schema schema, GenericRecord record) throws Exception {
    ByteBuffer b = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema)
        .encode(record);
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return bytes;
  }

  @Test
  void anEmbeddingWrittenBeforeKindExistedReadsAsNew() throws Exception {
    Schema older = version1("EmbeddingRecord");
    GenericRecord old = new GenericRecordBuilder(older).set("id", "a")
        .set("modality", new GenericData.EnumSymbol(older.getField("modality").schema(), "IMAGE"))
        .set("modelId", "m").set("modelVersion", 3L).set("dim", 2).set("normalized", true)
        .set("vector", List.of(0.6f, 0.8f)).set("sourceTopic", "images")
        .set("sourcePartition", 0).set("sourceOffset", 7L).set("eventTime", 1L)
        .set("emittedAt", 2L).build();
    EmbeddingRecord read = RecordCodec.singleObject(EmbeddingRecord.class)
        .decode(singleObject(older, old));
    assertEquals(3, read.getModelVersion());
    assertEquals(EmbeddingKind.NEW, read.getKind());
  }

  @Test
  void aCheckpointWrittenBeforeStatusExistedReadsAsPublished() throws Exception {
    Schema older = version1("CheckpointRecord");
    GenericRecord old = new GenericRecordBuilder(older).set("modelId", "m")
        .set("modelVersion", 100L).set("uri", "file:///m-v100.cfm").set("sha256", "ab")
        .set("sizeBytes", 10L).set("method", "MOCO").set("config", "{}")
        .set("metrics", Map.of()).set("createdAt", 5L).build();
    CheckpointRecord read = RecordCodec.singleObject(CheckpointRecord.class)
        .decode(singleObject(older, old));
    assertEquals(100, read.getModelVersion());
    assertEquals(CheckpointStatus.PUBLISHED, read.getStatus());
    assertNull(read.getReason());
    assertNull(read.getEmbeddings());
  }
}
