package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.learn.Method;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * Every default has one home: {@code contraflow train} with no learner options and {@code
 * contraflow learn} with the default job configuration build the same learner configuration, for
 * every method (issue 12).
 */
class TrainAndLearnConfigTest {

  private static LearnerOptions train(String... args) {
    TrainCommand train = new TrainCommand();
    new CommandLine(train).parseArgs(args);
    return train.learner;
  }

  private static JobConfig learn(String... settings) {
    return JobConfigLoader.defaults(List.of(settings));
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"MOCO", "SIMCLR", "MOCO_V3", "BYOL", "SIMSIAM",
      "INSTDISC", "SWAV"})
  void imageMethods(Method method) {
    JobConfig job = learn("learner.method=" + method);
    JobConfig.Model shape = job.model();
    assertEquals(job.learnerConfig(), train("--model-out", "m.cfm", "--method", method.name())
        .toConfig(shape.channels(), shape.height(), shape.width(), 1));
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"ESIMCSE", "SIMCSE", "CONSERT"})
  void sentenceMethods(Method method) {
    assertEquals(learn("sentenceLearner.method=" + method).sentenceLearnerConfig(),
        train("--model-out", "m.cfm", "--method", method.name()).toSentenceConfig(1));
  }

  @Test
  void clip() {
    JobConfig job = learn();
    JobConfig.Model shape = job.model();
    assertEquals(job.pairLearnerConfig(), train("--model-out", "m.cfm")
        .toPairConfig(shape.channels(), shape.height(), shape.width()));
  }
}
