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

  @Test
  void aMicroBatchSmallerThanBTakesUpdatesOfBInProportionAndCarriesTheRest() {
    ReplayConfig c = new ReplayConfig(100, 1 << 20, ReplayPolicy.FIFO, 4, 0.5);
    List<String> three = INCOMING.subList(0, 3);
    // B = 8, 4 updates per 8 records: 3 records owe 12 record-updates, one update of 8 (8 owed)
    ReplaySchedule.Plan<String> first = ReplaySchedule.plan(three, buffer(30), c, 8, 0,
        new Rng(1));
    assertEquals(1, first.batches().size());
    assertEquals(4, first.credit(), "12 owed, 8 spent");
    List<String> batch = first.batches().get(0);
    assertEquals(8, batch.size(), "an update of a small micro-batch still trains on B records");
    assertEquals(three, batch.subList(0, 3), "every incoming record is in it");
    assertEquals(5, batch.stream().filter(r -> r.startsWith("old")).count());
    ReplaySchedule.Plan<String> second = ReplaySchedule.plan(three, buffer(30), c, 8,
        first.credit(), new Rng(2));
    assertEquals(2, second.batches().size(), "4 carried + 12 owed = two updates");
    assertEquals(0, second.credit());
  }

  @Test
  void aRecordOwesNoWholeUpdateAloneAndNothingIsLostOverMany() {
    ReplayConfig c = new ReplayConfig(100, 1 << 20, ReplayPolicy.FIFO, 4, 0.5);
    ReplaySchedule.Plan<String> one = ReplaySchedule.plan(List.of("n0"), buffer(30), c, 8, 0,
        new Rng(1));
    assertTrue(one.batches().isEmpty(), "4 of the 8 record-updates an update needs");
    assertEquals(4, one.credit());
    // 48 records owe 4 x 48 / 8 = 24 updates, whatever micro-batches they arrive in
    for (int size : new int[] {1, 2, 3, 5, 7}) {
      int credit = 0;
      int updates = 0;
      for (int sent = 0; sent < 48; sent += size) {
        int n = Math.min(size, 48 - sent);
        ReplaySchedule.Plan<String> p = ReplaySchedule.plan(INCOMING.subList(0, n), buffer(30),
            c, 8, credit, new Rng(sent));
        updates += p.batches().size();
        credit = p.credit();
      }
      assertEquals(24, updates, "micro-batches of " + size);
      assertEquals(0, credit, "micro-batches of " + size);
    }
  }

  @Test
  void aFullMicroBatchTakesExactlyUpdatesPerBatchAndKeepsTheCredit() {
    ReplayConfig c = new ReplayConfig(100, 1 << 20, ReplayPolicy.FIFO, 3, 0.5);
    ReplaySchedule.Plan<String> full = ReplaySchedule.plan(INCOMING, buffer(20), c, 8, 5,
        new Rng(5));
    assertEquals(ReplaySchedule.updates(INCOMING, buffer(20), c, new Rng(5)), full.batches(),
        "the same batches as without a credit");
    assertEquals(5, full.credit(), "carried on to the next small micro-batch");
  }

  @Test
  void withoutAReplayedShareASmallMicroBatchTakesEveryUpdateOnItsOwnRecords() {
    ReplayConfig c = new ReplayConfig(100, 1 << 20, ReplayPolicy.FIFO, 3, 0);
    ReplaySchedule.Plan<String> p = ReplaySchedule.plan(INCOMING.subList(0, 2), buffer(20), c,
        8, 0, new Rng(5));
    assertEquals(List.of(INCOMING.subList(0, 2), INCOMING.subList(0, 2),
        INCOMING.subList(0, 2)), p.batches(), "nothing to fill a batch of B with");
  }
}
