package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class FixedRangesTest {

  @Test
  void rangesCoverEveryItemOnceInOrderAndTheirCountDependsOnNAlone() {
    for (int n : new int[] {0, 1, 5, 8, 9, 256, 1_000, 1_700_000}) {
      FixedRanges ranges = FixedRanges.of(n);
      assertEquals(Math.max(1, Math.min(n, FixedRanges.MAX_RANGES)), ranges.count(), "n " + n);
      assertEquals(0, ranges.from(0));
      assertEquals(n, ranges.to(ranges.count() - 1));
      for (int r = 0; r < ranges.count(); r++) {
        assertTrue(n == 0 || ranges.to(r) > ranges.from(r), "range " + r + " of " + n + " empty");
        if (r > 0) {
          assertEquals(ranges.to(r - 1), ranges.from(r), "ranges " + (r - 1) + ", " + r);
        }
      }
    }
    assertEquals(32, FixedRanges.of(256).to(0), "B = 256 in ranges of 32 rows");
  }

  @Test
  void aSharedPassRunsEveryRangeExactlyOnce() {
    FixedRanges ranges = FixedRanges.of(1_000);
    for (int pass = 0; pass < 50; pass++) {
      AtomicIntegerArray runs = new AtomicIntegerArray(ranges.count());
      ranges.forEach(Long.MAX_VALUE, runs::incrementAndGet);
      for (int r = 0; r < ranges.count(); r++) {
        assertEquals(1, runs.get(r), "pass " + pass + ", range " + r);
      }
    }
  }

  @Test
  void aRangesFailureReachesTheCaller() {
    IllegalStateException failure = new IllegalStateException("range 5 failed");
    FixedRanges ranges = FixedRanges.of(64);
    IllegalStateException thrown = assertThrows(IllegalStateException.class,
        () -> ranges.forEach(Long.MAX_VALUE, r -> {
          if (r == 5) {
            throw failure;
          }
        }));
    assertSame(failure, thrown);
  }

  /** Partials added in range order, as a single thread would add them: 1e16 + 1 + 1 - 1e16. */
  @Test
  void partialSumsAreAddedInRangeOrder() {
    double[][] partials = {{1e16, 1}, {1, 2}, {1, 3}, {-1e16, 4}};
    double[] expected = {((1e16 + 1) + 1) - 1e16, 10};
    assertArrayEquals(expected, FixedRanges.sumInOrder(partials), 0);
    assertEquals(0, expected[0], "the order matters for these values");
  }

  @Test
  void rejectsANegativeCount() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FixedRanges.of(-1));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
  }
}
