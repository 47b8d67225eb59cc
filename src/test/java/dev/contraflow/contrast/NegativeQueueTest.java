package dev.contraflow.contrast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NegativeQueueTest {

  /** n keys of dimension 2 whose first coordinate is start, start+1, ... */
  private static float[] keys(int start, int n) {
    float[] k = new float[2 * n];
    for (int i = 0; i < n; i++) {
      k[2 * i] = start + i;
    }
    return k;
  }

  private static long[] ids(int start, int n) {
    long[] h = new long[n];
    for (int i = 0; i < n; i++) {
      h[i] = NegativeQueue.idHash("id-" + (start + i));
    }
    return h;
  }

  @Test
  void queueAcceptsBatchesThatDoNotDivideItsSize() {
    NegativeQueue q = NegativeQueue.empty(5, 2);
    q = q.enqueue(keys(0, 3), ids(0, 3), 0); // rows 0..2
    q = q.enqueue(keys(3, 3), ids(3, 3), 1); // rows 3, 4, then wraps to 0
    assertEquals(5, q.fill());
    assertEquals(1, q.writePosition());
    assertEquals(5f, q.key(0)[0]); // oldest (0) overwritten by the newest (5)
    assertEquals(1f, q.key(1)[0]);
    assertEquals(4f, q.key(4)[0]);
  }

  @Test
  void batchLargerThanTheQueueKeepsItsLastKeys() {
    NegativeQueue q = NegativeQueue.empty(3, 2).enqueue(keys(0, 7), ids(0, 7), 0);
    assertEquals(3, q.fill());
    float[] firsts = {q.key(0)[0], q.key(1)[0], q.key(2)[0]};
    java.util.Arrays.sort(firsts);
    assertArrayEquals(new float[] {4, 5, 6}, firsts);
  }

  @Test
  void enqueueLeavesTheOriginalQueueUnchanged() {
    NegativeQueue before = NegativeQueue.empty(4, 2).enqueue(keys(0, 2), ids(0, 2), 0);
    before.enqueue(keys(10, 4), ids(10, 4), 1);
    assertEquals(2, before.fill());
    assertEquals(0f, before.key(0)[0]);
    assertEquals(1f, before.key(1)[0]);
  }

  @Test
  void onlyFilledRowsAreNegatives() {
    NegativeQueue q = NegativeQueue.empty(8, 2);
    assertNull(q.keysMatrix());
    q = q.enqueue(keys(0, 3), ids(0, 3), 0);
    assertEquals(3, q.keysMatrix().rows());
  }

  @Test
  void queryIsNeverContrastedWithAQueuedKeyOfTheSameId() {
    NegativeQueue q = NegativeQueue.empty(6, 2).enqueue(keys(0, 4), ids(0, 4), 0);
    long[] queries = {NegativeQueue.idHash("id-2"), NegativeQueue.idHash("new"),
        NegativeQueue.idHash("id-0")};
    List<InfoNceLoss.Exclusion> ex = q.exclusionsFor(queries);
    assertEquals(List.of(new InfoNceLoss.Exclusion(0, 2), new InfoNceLoss.Exclusion(2, 0)), ex);
  }

  @Test
  void meanAgeCountsStepsSinceEnqueue() {
    NegativeQueue q = NegativeQueue.empty(4, 2)
        .enqueue(keys(0, 2), ids(0, 2), 0)
        .enqueue(keys(2, 2), ids(2, 2), 3);
    assertEquals((5 + 5 + 2 + 2) / 4.0, q.meanAge(5), 1e-12);
  }

  @Test
  void restoreRejectsInconsistentParts() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NegativeQueue.restore(4, 2, new float[8], new long[4], new long[4], 0, 5));
    assertTrue(e.getMessage().contains("fill 5"), e.getMessage());
  }

  @Test
  void rejectsEmptyCapacityWithRemedy() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> NegativeQueue.empty(0, 2));
    assertTrue(e.getMessage().contains("queue size K must be >= 1, got 0"), e.getMessage());
  }
}
