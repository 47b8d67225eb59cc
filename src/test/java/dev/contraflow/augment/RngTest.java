package dev.contraflow.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RngTest {

  @Test
  void stateAloneContinuesTheSequence() {
    Rng a = new Rng(123);
    a.nextLong();
    Rng b = new Rng(a.state());
    for (int i = 0; i < 10; i++) {
      assertEquals(a.nextLong(), b.nextLong());
    }
  }

  @Test
  void splitsAreIndependentOfEachOther() {
    Rng r = new Rng(1);
    assertNotEquals(r.split().nextLong(), r.split().nextLong());
  }

  @Test
  void drawsStayInTheirRanges() {
    Rng r = new Rng(7);
    for (int i = 0; i < 10_000; i++) {
      double d = r.nextDouble();
      float f = r.nextFloat();
      int n = r.nextInt(5);
      assertTrue(d >= 0 && d < 1);
      assertTrue(f >= 0 && f < 1);
      assertTrue(n >= 0 && n < 5);
    }
  }
}
