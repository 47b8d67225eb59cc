package dev.contraflow.learn.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.augment.Rng;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayScheduleTest {

  private static final List<String> INCOMING = List.of("n0", "n1", "n2", "n3", "n4", "n5", "n6",
      "n7");

  private static ReplayBuffer<String> buffer(int n) {
    List<String> old = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      old.add("old" + i);
    }
    return ReplayBuffer.<String>empty().offer(old, List.of(),
        new ReplayConfig(100, 1 << 20, ReplayPolicy.FIFO, 1, 0.5), String::length, new Rng(0));
  }

  @Test
  void eachOfTheKUpdatesMixesIncomingAndReplayedRecordsInTheConfiguredShare() {
    ReplayConfig c = new ReplayConfig(100, 1 << 20, ReplayPolicy.FIFO, 4, 0.25);
    List<List<String>> updates = ReplaySchedule.updates(INCOMING, buffer(30), c, new Rng(1));
    assertEquals(4, updates.size());
    for (List<String> batch : updates) {
      assertEquals(8, batch.size());
      assertEquals(8, new HashSet<>(batch).size(), "a record twice in one batch: " + batch);
      assertEquals(2, batch.stream().filter(r -> r.startsWith("old")).count());
      assertTrue(INCOMING.containsAll(batch.subList(0, 6)));
    }
    assertTrue(new HashSet<>(updates).size() > 1, "every update drew the same batch");
  }

  @Test
  void anEmptyOrSmallBufferLeavesTheRestOfTheBatchToIncomingRecords() {
    ReplayConfig c = new ReplayConfig(100, 1 << 20, ReplayPolicy.FIFO, 2, 0.5);
    assertEquals(List.of(INCOMING, INCOMING),
        ReplaySchedule.updates(INCOMING, ReplayBuffer.empty(), c, new Rng(1)));
    List<String> batch = ReplaySchedule.updates(INCOMING, buffer(3), c, new Rng(1)).get(0);
    assertEquals(3, batch.stream().filter(r -> r.startsWith("old")).count());
    assertEquals(8, batch.size());
  }

  @Test
  void theSameSeedGivesTheSameBatches() {
    ReplayConfig c = new ReplayConfig(100, 1 << 20, ReplayPolicy.FIFO, 3, 0.5);
    assertEquals(ReplaySchedule.updates(INCOMING, buffer(20), c, new Rng(5)),
        ReplaySchedule.updates(INCOMING, buffer(20), c, new Rng(5)));
  }
}
