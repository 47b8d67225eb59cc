package dev.contraflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JitWarmUpTest {

  private static final long STEP = 300_000_000L; // 300 ms, a MoCo v2 step of 8 updates

  @Test
  void theJitHasSettledWhenItsWindowOfStepsCompiledUnderThreePercentOfTheirTime() {
    JitWarmUp jit = new JitWarmUp();
    for (int i = 0; i < JitWarmUp.WINDOW - 1; i++) {
      assertFalse(jit.settledAfter(0, STEP), "fewer steps than the window say nothing yet");
    }
    assertTrue(jit.settledAfter(0, STEP));
    assertEquals(JitWarmUp.WINDOW, jit.steps());
  }

  @Test
  void oneBurstOfCompilingKeepsTheWarmUpGoingUntilItLeavesTheWindow() {
    JitWarmUp jit = new JitWarmUp();
    // 5 steps of 300 ms: 1.5 s, of which 3% is 45 ms
    assertFalse(jit.settledAfter(60, STEP));
    for (int i = 1; i < JitWarmUp.WINDOW; i++) {
      assertFalse(jit.settledAfter(0, STEP), "the 60 ms burst is still in the window");
    }
    assertTrue(jit.settledAfter(0, STEP), "the burst has left the window");
  }

  @Test
  void steadyCompilingJustBelowTheShareCountsAsSettledAndJustAboveDoesNot() {
    JitWarmUp below = new JitWarmUp();
    JitWarmUp above = new JitWarmUp();
    boolean settledBelow = false;
    boolean settledAbove = false;
    for (int i = 0; i < JitWarmUp.WINDOW; i++) {
      settledBelow = below.settledAfter(8, STEP); // 2.7% of each step
      settledAbove = above.settledAfter(10, STEP); // 3.3%
    }
    assertTrue(settledBelow);
    assertFalse(settledAbove);
  }

  @Test
  void aJitThatNeverSettlesEndsTheWarmUpAfterItsLastStep() {
    JitWarmUp jit = new JitWarmUp();
    for (int i = 1; i < JitWarmUp.MAX_STEPS; i++) {
      assertFalse(jit.settledAfter(STEP / 1_000_000, STEP), "compiling all the time: step " + i);
    }
    assertTrue(jit.settledAfter(STEP / 1_000_000, STEP));
  }
}
