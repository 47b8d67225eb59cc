package dev.contraflow.contrast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MemoryBankTest {

  private static final long A = 1;
  private static final long B = 2;
  private static final long C = 3;
  private static final long D = 4;

  private static MemoryBank empty(int capacity) {
    return new MemoryBank(NegativeQueue.empty(capacity, 2));
  }

  @Test
  void aSeenAgainInstanceGetsTheNormalisedProximalAverage() {
    MemoryBank bank = empty(4).update(new float[] {1, 0}, new long[] {A}, 0, 0.5);
    bank = bank.update(new float[] {0, 1}, new long[] {A}, 3, 0.5);
    // 0.5 (1, 0) + 0.5 (0, 1), normalised
    float s = (float) Math.sqrt(0.5);
    assertArrayEquals(new float[] {s, s}, bank.storage().key(0), 1e-6f);
    assertEquals(1, bank.size(), "one entry per instance id");
    assertEquals(3, bank.storage().enqueuedAt()[0], "the age counts from the last refresh");
  }

  @Test
  void momentumOneKeepsTheEntryAndZeroTakesTheNewFeature() {
    MemoryBank bank = empty(2).update(new float[] {1, 0}, new long[] {A}, 0, 0.5);
    assertArrayEquals(new float[] {1, 0},
        bank.update(new float[] {0, 1}, new long[] {A}, 1, 1.0).storage().key(0), 1e-6f);
    assertArrayEquals(new float[] {0, 1},
        bank.update(new float[] {0, 1}, new long[] {A}, 1, 0.0).storage().key(0), 1e-6f);
  }

  @Test
  void beyondItsBoundTheEarliestInsertedIdIsEvicted() {
    MemoryBank bank = empty(3).update(new float[] {1, 0, 0, 1, -1, 0}, new long[] {A, B, C}, 0,
        0.5);
    bank = bank.update(new float[] {0, 1}, new long[] {B}, 1, 0.5); // a refresh moves nothing
    bank = bank.update(new float[] {0, -1}, new long[] {D}, 2, 0.5); // full: A goes
    assertEquals(3, bank.size());
    assertFalse(bank.holds(A));
    assertTrue(bank.holds(B) && bank.holds(C) && bank.holds(D));
    assertArrayEquals(new float[] {0, -1}, bank.storage().key(0), 1e-6f, "D took A's row");
    assertEquals(1, bank.storage().writePosition(), "B, inserted next, is evicted next");
    // A comes again: a new instance to the bank, which now evicts B
    bank = bank.update(new float[] {1, 0}, new long[] {A}, 3, 0.5);
    assertTrue(bank.holds(A));
    assertFalse(bank.holds(B));
  }

  @Test
  void anIdTwiceInOneBatchIsInsertedOnceThenRefreshed() {
    MemoryBank bank = empty(4).update(new float[] {1, 0, 0, 1}, new long[] {A, A}, 0, 0.5);
    assertEquals(1, bank.size());
    float s = (float) Math.sqrt(0.5);
    assertArrayEquals(new float[] {s, s}, bank.storage().key(0), 1e-6f);
  }

  @Test
  void featuresOfUnknownIdsFallBackToTheGivenRows() {
    MemoryBank bank = empty(4).update(new float[] {0, 1}, new long[] {B}, 0, 0.5);
    INDArray fallback = Nd4j.create(new float[][] {{1, 0}, {1, 0}});
    INDArray f = bank.features(new long[] {A, B}, fallback);
    assertArrayEquals(new float[] {1, 0}, f.getRow(0).toFloatVector(), 1e-6f);
    assertArrayEquals(new float[] {0, 1}, f.getRow(1).toFloatVector(), 1e-6f);
    assertArrayEquals(new float[] {1, 0}, fallback.getRow(1).toFloatVector(), "fallback untouched");
  }

  @Test
  void negativesOfTheQuerysOwnIdAreExcluded() {
    MemoryBank bank = empty(4).update(new float[] {1, 0, 0, 1, -1, 0}, new long[] {A, B, C}, 0,
        0.5);
    MemoryBank.Negatives n = bank.negatives(new int[] {2, 0, 0}, new long[] {C, A});
    assertEquals(3, n.features().rows());
    assertArrayEquals(new float[] {-1, 0}, n.features().getRow(0).toFloatVector(), 1e-6f);
    assertEquals(List.of(new InfoNceLoss.Exclusion(0, 0), new InfoNceLoss.Exclusion(1, 1),
        new InfoNceLoss.Exclusion(1, 2)), n.exclusions());
    assertNull(empty(2).negatives(new int[0], new long[] {A}).features());
  }

  @Test
  void rejectsMomentumOutsideTheUnitInterval() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> empty(2).update(new float[] {1, 0}, new long[] {A}, 0, 1.5));
    assertTrue(e.getMessage().contains("InstDisc uses 0.5"), e.getMessage());
  }
}
