package dev.contraflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.CheckpointStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamBenchmarkTest {

  private static CheckpointRecord checkpoint(long version, CheckpointStatus status) {
    return CheckpointRecord.newBuilder().setModelId("m").setModelVersion(version)
        .setUri("file:///models/m-" + version).setSha256("sha-" + version).setSizeBytes(1)
        .setMethod("CMC").setConfig("{}").setCreatedAt(Instant.ofEpochMilli(version))
        .setStatus(status).setEmbeddings(status == CheckpointStatus.COMPLETE ? 10L : null)
        .build();
  }

  @Test
  void refreshesCountTheCompletedVersionsAgainstThePublishedOnes() {
    // v100 refreshed in full; v200's refresh superseded by v300's publish; v300's under way; a
    // rejected v400 is not published and has no refresh
    StreamBenchmark.Refreshes r = StreamBenchmark.Refreshes.of(List.of(
        checkpoint(100, CheckpointStatus.PUBLISHED), checkpoint(100, CheckpointStatus.COMPLETE),
        checkpoint(200, CheckpointStatus.PUBLISHED), checkpoint(300, CheckpointStatus.PUBLISHED),
        checkpoint(400, CheckpointStatus.REJECTED)));
    assertEquals(new StreamBenchmark.Refreshes(3, 1), r);
  }
}
