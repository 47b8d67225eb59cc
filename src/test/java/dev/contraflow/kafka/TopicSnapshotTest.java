package dev.contraflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.kafka.TopicSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class TopicSnapshotTest {

  @Test
  void readsEveryRecordOfEveryPartitionUpToTheEndAndSkipsGarbage(@TempDir Path dir)
      throws Exception {
    RecordCodec<CheckpointRecord> codec = RecordCodec.singleObject(CheckpointRecord.class);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir);
        RecordProducer producer = new RecordProducer(kafka.bootstrapServers(), Map.of())) {
      kafka.createTopics(List.of("checkpoints"), 3);
      for (int v = 1; v <= 7; v++) {
        producer.sendNow("checkpoints", ("m" + v % 2).getBytes(), codec.encode(
            CheckpointRecord.newBuilder().setModelId("m" + v % 2).setModelVersion(v)
                .setUri("file:///models/v" + v).setSha256("00").setSizeBytes(1)
                .setMethod("MOCO").setConfig("{}").setCreatedAt(Instant.EPOCH).build()));
      }
      producer.sendNow("checkpoints", null, "not avro".getBytes());
      List<CheckpointRecord> read = TopicSnapshot.read(kafka.bootstrapServers(), "checkpoints",
          codec, Map.of(), Duration.ofSeconds(30));
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), read.stream()
          .map(CheckpointRecord::getModelVersion).sorted().toList());
      assertThrows(IllegalArgumentException.class, () -> TopicSnapshot.read(
          kafka.bootstrapServers(), "no-such-topic", codec, Map.of(), Duration.ofSeconds(5)));
    }
  }
}
