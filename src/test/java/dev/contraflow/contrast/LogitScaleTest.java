package dev.contraflow.contrast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogitScaleTest {

  @Test
  void startsAtClipsTemperature() {
    LogitScale s = LogitScale.ofTemperature(LogitScale.INITIAL_TEMPERATURE);
    assertEquals(Math.log(1 / 0.07), s.logScale(), 1e-15);
    assertEquals(1 / 0.07, s.scale(), 1e-12);
  }

  @Test
  void theScaleNeverExceedsOneHundredNorFallsBelowOne() {
    LogitScale s = LogitScale.ofTemperature(0.07);
    for (int i = 0; i < 2000; i++) {
      s = s.update(-5.0, i, 0.05); // the loss always wants a larger scale
      assertTrue(s.scale() <= 100.0, "scale " + s.scale() + " at step " + i);
    }
    assertEquals(100.0, s.scale(), 1e-9);
    for (int i = 2000; i < 4000; i++) {
      s = s.update(5.0, i, 0.05);
    }
    assertEquals(1.0, s.scale(), 0.0);
  }

  @Test
  void firstAdamStepMovesByTheLearningRateAgainstTheGradient() {
    LogitScale s = new LogitScale(2.0, 0, 0).update(0.3, 0, 0.01);
    assertEquals(2.0 - 0.01, s.logScale(), 1e-9); // bias-corrected m / sqrt(v) = sign(g)
  }

  @Test
  void rejectsATemperatureOutsideTheClamp() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LogitScale.ofTemperature(0.001));
    assertTrue(e.getMessage().contains("CLIP starts at 0.07"), e.getMessage());
  }

  @Test
  void aNonFiniteGradientLeavesTheScaleAsItIs() {
    LogitScale s = new LogitScale(2.0, 0.1, 0.2);
    assertEquals(s, s.update(Double.NaN, 4, 0.01));
    assertEquals(s, s.update(Double.NEGATIVE_INFINITY, 4, 0.01));
  }
}
