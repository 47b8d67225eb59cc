package dev.contraflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.io.record.RecordCodec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class TopicReaderTest {

  @Test
  void recordsFromAnIndexAreTheTailOfEverythingReadSoFar(@TempDir Path dir) throws Exception {
    RecordCodec<CheckpointRecord> codec = RecordCodec.singleObject(CheckpointRecord.class);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir);
        RecordProducer producer = new RecordProducer(kafka.bootstrapServers(), Map.of())) {
      kafka.createTopics(List.of("checkpoints"), 1);
      try (TopicReader<CheckpointRecord> reader = new TopicReader<>(kafka.bootstrapServers(),
          "checkpoints", codec, Map.of())) {
        for (int v = 1; v <= 5; v++) {
          producer.sendNow("checkpoints", "m".getBytes(), codec.encode(
              CheckpointRecord.newBuilder().setModelId("m").setModelVersion(v)
                  .setUri("file:///models/v" + v).setSha256("00").setSizeBytes(1)
                  .setMethod("MOCO").setConfig("{}").setCreatedAt(Instant.EPOCH).build()));
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (reader.count() < 5 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }

        assertEquals(reader.records(), reader.recordsFrom(0));
        assertEquals(List.of(4L, 5L), versions(reader.recordsFrom(3)));
        assertEquals(List.of(), reader.recordsFrom(5));
        assertEquals(List.of(), reader.recordsFrom(9), "past the end: nothing yet, no error");
      }
    }
  }

  private static List<Long> versions(List<CheckpointRecord> records) {
    return records.stream().map(CheckpointRecord::getModelVersion).toList();
  }
}
