package dev.contraflow.serve;

import static dev.contraflow.serve.TableDriver.embedding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.contraflow.avro.EmbeddingRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.VersionedRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingTableTopologyTest {

  private static final EmbeddingKey CAT = new EmbeddingKey("moco", "cat");

  @TempDir Path stateDir;
  private TableDriver table;

  @BeforeEach
  void start() {
    table = new TableDriver(stateDir);
  }

  @AfterEach
  void stop() {
    table.close();
  }

  @Test
  void olderModelVersionArrivingLaterDoesNotReplaceTheNewer() {
    table.pipe(embedding("moco", "cat", 7, 1, 0), 1_000);
    table.pipe(embedding("moco", "cat", 3, 0, 1), 2_000); // a backfill of an older model

    VersionedRecord<EmbeddingRecord> row = table.history().get(CAT);
    assertEquals(7, row.value().getModelVersion());
    assertEquals(List.of(7L), latestVersions("moco"));
    assertEquals(1, table.counters.superseded());
  }

  @Test
  void aVectorWithANaNIsRefusedAndCountedNotStored() {
    table.pipe(embedding("moco", "cat", 7, 1, 0), 1_000);
    table.pipe(embedding("moco", "cat", 8, Float.NaN, 0), 2_000);
    table.pipe(embedding("moco", "dog", 8, 0, Float.POSITIVE_INFINITY), 2_000);

    assertEquals(7, table.history().get(CAT).value().getModelVersion());
    assertEquals(List.of(7L), latestVersions("moco"));
    assertEquals(2, table.counters.undecodable());
  }

  @Test
  void sameVersionReemittedReplacesTheRow() {
    table.pipe(embedding("moco", "cat", 7, 1, 0), 1_000);
    table.pipe(embedding("moco", "cat", 7, 0, 1), 2_000);

    assertEquals(List.of(0f, 1f), table.history().get(CAT).value().getVector());
    assertEquals(0, table.counters.superseded());
  }

  @Test
  void newerVersionWithAnEarlierTimestampStillWins() {
    table.pipe(embedding("moco", "cat", 3, 1, 0), 2_000);
    table.pipe(embedding("moco", "cat", 7, 0, 1), 1_000);

    VersionedRecord<EmbeddingRecord> row = table.history().get(CAT);
    assertEquals(7, row.value().getModelVersion());
    assertEquals(2_000, row.timestamp(), "the row's time never goes back");
  }

  @Test
  void asOfLookupAnswersWhatTheTableHeldThen() {
    table.pipe(embedding("moco", "cat", 1, 1, 0), 1_000);
    table.pipe(embedding("moco", "cat", 2, 0, 1), 2_000);

    assertNull(table.history().get(CAT, 999));
    VersionedRecord<EmbeddingRecord> then = table.history().get(CAT, 1_500);
    assertEquals(1, then.value().getModelVersion());
    assertEquals(1_000, then.timestamp());
    assertEquals(2, table.history().get(CAT, 2_000).value().getModelVersion());
    assertEquals(2, table.table().get(CAT, Instant.ofEpochMilli(5_000)).value().getModelVersion());
  }

  @Test
  void undecodableValueIsSkippedAndCounted() {
    table.pipeBytes("not avro".getBytes(StandardCharsets.UTF_8), 1_000);
    table.pipeBytes(null, 1_000);
    table.pipe(embedding("moco", "cat", 1, 1, 0), 1_000);

    assertEquals(3, table.counters.read());
    assertEquals(2, table.counters.undecodable());
    assertEquals(1, table.counters.stored());
    assertEquals(1, table.history().get(CAT).value().getModelVersion());
  }

  @Test
  void embeddingWhoseVectorDoesNotMatchItsDimIsSkippedAndCounted() {
    EmbeddingRecord broken = embedding("moco", "cat", 1, 1, 0);
    broken.setDim(3);
    table.pipe(broken, 1_000);

    assertEquals(1, table.counters.undecodable());
    assertNull(table.history().get(CAT));
  }

  @Test
  void twoModelsKeepTheirOwnRowForTheSameId() {
    table.pipe(embedding("moco", "cat", 9, 1, 0), 1_000);
    table.pipe(embedding("mocov3", "cat", 2, 0, 1), 1_000);
    table.pipe(embedding("mo", "cocat", 5, 1, 1), 1_000); // same concatenated bytes as "moco"+"cat"

    assertEquals(9, table.history().get(CAT).value().getModelVersion());
    assertEquals(2, table.history().get(new EmbeddingKey("mocov3", "cat")).value()
        .getModelVersion());
    assertEquals(5, table.history().get(new EmbeddingKey("mo", "cocat")).value()
        .getModelVersion());
    assertEquals(List.of(9L), latestVersions("moco"), "a model's scan sees only its own rows");
  }

  @Test
  void keyFirstSeenOlderThanTheHistoryRetentionIsStillServed() {
    long late = TableDriver.HISTORY.toMillis() * 10;
    table.pipe(embedding("moco", "dog", 1, 1, 0), late);
    table.pipe(embedding("moco", "cat", 1, 1, 0), 0); // a backfill with its original timestamp

    assertEquals(1, table.history().get(CAT).value().getModelVersion());
    assertEquals(0, table.counters.expired());
  }

  private List<Long> latestVersions(String modelId) {
    List<Long> versions = new ArrayList<>();
    table.table().forEachLatest(modelId, e -> versions.add(e.getModelVersion()));
    return versions;
  }
}
