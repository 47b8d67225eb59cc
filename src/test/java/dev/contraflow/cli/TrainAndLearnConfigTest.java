package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.learn.Method;
import dev.contraflow.learn.replay.ReplayConfig;
import java.util.ArrayList;
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

  /**
   * The replay flags (one set, for every modality) and the YAML's replay keys of each learner
   * build the same configurations.
   */
  @Test
  void replaySettings() {
    LearnerOptions options = train("--model-out", "m.cfm", "--updates-per-batch", "4",
        "--replay-capacity", "512", "--replay-max-bytes", "1048576", "--replay-policy",
        "RESERVOIR");
    List<String> settings = new ArrayList<>();
    for (String learner : List.of("learner", "sentenceLearner", "pairLearner")) {
      settings.addAll(List.of(learner + ".replay.updatesPerBatch=4",
          learner + ".replay.capacity=512", learner + ".replay.maxBytes=1048576",
          learner + ".replay.policy=RESERVOIR"));
    }
    JobConfig job = learn(settings.toArray(String[]::new));
    JobConfig.Model shape = job.model();
    assertNotEquals(ReplayConfig.NONE, job.learnerConfig().replay());
    assertEquals(job.learnerConfig(),
        options.toConfig(shape.channels(), shape.height(), shape.width(), 1));
    assertEquals(job.sentenceLearnerConfig(), options.toSentenceConfig(1));
    assertEquals(job.pairLearnerConfig(),
        options.toPairConfig(shape.channels(), shape.height(), shape.width()));
  }

  /**
   * A cosine momentum schedule reaches 1 at the last gradient step, not after the first
   * micro-batches: with replay each micro-batch is several steps.
   */
  @Test
  void cosineMomentumCountsGradientStepsNotMicroBatches() {
    LearnerOptions options = train("--model-out", "m.cfm", "--momentum-schedule", "COSINE");
    assertEquals(10L * ReplayConfig.IMAGES.updatesPerBatch(),
        options.toConfig(1, 28, 28, 10).momentum().totalSteps());
    assertEquals(10L * 3, train("--model-out", "m.cfm", "--momentum-schedule", "COSINE",
        "--updates-per-batch", "3").toSentenceConfig(10).momentum().totalSteps());
  }

  /** An encoder without a width takes its kind's default, on the command line and in YAML. */
  @ParameterizedTest
  @EnumSource(value = EncoderKind.class)
  void encoderWidths(EncoderKind kind) {
    JobConfig job = learn("learner.encoder=" + kind);
    JobConfig.Model shape = job.model();
    assertEquals(job.learnerConfig(), train("--model-out", "m.cfm", "--encoder", kind.name())
        .toConfig(shape.channels(), shape.height(), shape.width(), 1));
    assertEquals(EncoderConfig.defaultWidth(kind), job.learnerConfig().encoder().baseWidth());
  }

  @Test
  void clip() {
    JobConfig job = learn();
    JobConfig.Model shape = job.model();
    assertEquals(job.pairLearnerConfig(), train("--model-out", "m.cfm")
        .toPairConfig(shape.channels(), shape.height(), shape.width()));
  }
}
