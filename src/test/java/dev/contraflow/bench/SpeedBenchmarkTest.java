package dev.contraflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.Method;
import dev.contraflow.learn.replay.ReplayConfig;
import org.junit.jupiter.api.Test;

class SpeedBenchmarkTest {

  @Test
  void warmUpLastsUntilTheQueueIsFullThenOneStepMore() {
    LearnerConfig moco = LearnerConfig.mocoV2(1, 28, 28); // K 4096, B 256, 8 updates per batch
    assertEquals(2 + 1, SpeedBenchmark.stepsToSteadyState(moco), "2048 keys a step fill 4096 in 2");
    assertEquals(16 + 1, SpeedBenchmark.stepsToSteadyState(moco.withReplay(ReplayConfig.NONE)),
        "one update a step: 256 keys at a time");
  }

  @Test
  void aMethodWithoutAQueueNeedsNoWarmUpOfItsOwn() {
    assertEquals(0, SpeedBenchmark.stepsToSteadyState(
        LearnerConfig.defaults(Method.SIMCLR, 1, 28, 28)));
    assertEquals(0, SpeedBenchmark.stepsToSteadyState(
        LearnerConfig.defaults(Method.INSTDISC, 1, 28, 28)), "its bank draws a fixed number");
  }

  @Test
  void modelFlopsCountTheViewsEachMethodPassesThroughEachEncoder() {
    // 3 forward passes' worth per view trained (forward + backward), 1 per momentum-encoder view
    assertEquals(4, SpeedBenchmark.forwardPassesPerRecord(LearnerConfig.mocoV2(1, 28, 28)));
    LearnerConfig cmc = LearnerConfig.defaults(Method.CMC, 1, 28, 28);
    assertEquals(4L * cmc.cmc().views(), SpeedBenchmark.forwardPassesPerRecord(cmc),
        "CMC trains on every view and keys every view");
    assertEquals(6, SpeedBenchmark.forwardPassesPerRecord(
        LearnerConfig.defaults(Method.SIMCLR, 1, 28, 28)));
    assertEquals(8, SpeedBenchmark.forwardPassesPerRecord(
        LearnerConfig.defaults(Method.BYOL, 1, 28, 28)));
  }
}
