package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.encoder.TextEncoderKind;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.Method;
import dev.contraflow.learn.SentenceLearnerConfig;
import dev.contraflow.learn.replay.ReplayConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * Every default has one home, the job's {@code default-job.yaml}: {@code contraflow train} with
 * no learner options and {@code contraflow learn} with the default job configuration build the
 * same learner configuration, for every method, and each learner option is the same as setting
 * its YAML key (issue 12).
 */
class TrainAndLearnConfigTest {

  private static LearnerOptions train(String... args) {
    TrainCommand train = new TrainCommand();
    List<String> all = new ArrayList<>(List.of("--model-out", "m.cfm"));
    all.addAll(List.of(args));
    new CommandLine(train).parseArgs(all.toArray(String[]::new));
    return train.learner;
  }

  private static JobConfig learn(String... settings) {
    return JobConfigLoader.defaults(List.of(settings));
  }

  private static LearnerConfig images(LearnerOptions options, long totalSteps) {
    EncoderConfig shape = learn().learner().encoder();
    return options.toConfig(shape.channels(), shape.height(), shape.width(), totalSteps);
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"MOCO", "SIMCLR", "MOCO_V3", "BYOL", "SIMSIAM",
      "INSTDISC", "SWAV", "DINO", "CMC"})
  void imageMethods(Method method) {
    assertEquals(learn("learner.method=" + method).learner(),
        images(train("--method", method.name()), 1));
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"ESIMCSE", "SIMCSE", "CONSERT"})
  void sentenceMethods(Method method) {
    assertEquals(learn("sentenceLearner.method=" + method).sentenceLearner(),
        train("--method", method.name()).toSentenceConfig(1));
  }

  /** --text-encoder is sentenceLearner.encoder.kind; the convolution encoder's Adam binds. */
  @Test
  void theConvolutionEncoderIsAnOverrideOfTheEncoderKind() {
    SentenceLearnerConfig cli = train("--text-encoder", "CONTEXT_CONVOLUTION", "--width", "64",
        "--dim", "64", "--optimizer", "ADAM").toSentenceConfig(1);
    assertEquals(learn("sentenceLearner.encoder.kind=CONTEXT_CONVOLUTION",
        "sentenceLearner.encoder.width=64", "sentenceLearner.encoder.projectionDim=64",
        "sentenceLearner.optimizer.kind=ADAM").sentenceLearner(), cli);
    assertEquals(TextEncoderKind.CONTEXT_CONVOLUTION, cli.encoder().kind());
    assertEquals(TextEncoderKind.HASHED_BAG, train().toSentenceConfig(1).encoder().kind(),
        "the default");
  }

  /** CPC's settings: train's options set the {@code sentenceLearner.cpc} keys. */
  @Test
  void cpcOptionsAreOverridesOfTheirKeys() {
    SentenceLearnerConfig cli = train("--method", "CPC", "--prediction-steps", "4",
        "--context-kernel", "2", "--context-dim", "64", "--window-sequences", "32",
        "--cpc-queue-size", "128")
        .toSentenceConfig(1);
    assertEquals(learn("sentenceLearner.method=CPC", "sentenceLearner.cpc.predictionSteps=4",
        "sentenceLearner.cpc.contextKernel=2", "sentenceLearner.cpc.contextDim=64",
        "sentenceLearner.cpc.windowSequences=32", "sentenceLearner.cpc.queueSize=128")
        .sentenceLearner(), cli);
    assertEquals(new SentenceLearnerConfig.Cpc(4, 2, 64, 32, 128), cli.cpc());
    assertEquals(learn("sentenceLearner.method=CPC").sentenceLearner(),
        train("--method", "CPC").toSentenceConfig(1), "the defaults from either home");
  }

  @Test
  void clip() {
    EncoderConfig shape = learn().pairLearner().image();
    assertEquals(learn().pairLearner(),
        train().toPairConfig(shape.channels(), shape.height(), shape.width()));
  }

  /**
   * The engine-free defaults the tests and benchmarks use are the YAML's; the YAML's image method
   * is CMC (measured: the most learnt in one pass, README "One pass").
   */
  @Test
  void engineFreeDefaultsAreTheYamls() {
    LearnerConfig yaml = learn().learner();
    EncoderConfig e = yaml.encoder();
    assertEquals(yaml, LearnerConfig.defaults(Method.CMC, e.channels(), e.height(), e.width()));
    assertEquals(ReplayConfig.IMAGES, yaml.replay());
    assertEquals(ReplayConfig.NONE, learn().sentenceLearner().replay());
    assertEquals(ReplayConfig.NONE, learn().pairLearner().replay());
  }

  /** Each image option sets its key of the {@code learner} section, and nothing else. */
  @Test
  void imageOptionsAreOverridesOfTheirKeys() {
    LearnerOptions options = train("--method", "SWAV", "--encoder", "GEMM_CNN", "--width", "16",
        "--head-hidden", "256", "--dim", "64", "--batch-size", "128", "--queue-size", "2048",
        "--temperature", "0.15", "--momentum", "0.995", "--optimizer", "ADAM", "--lr", "0.06",
        "--weight-decay", "0", "--crop-scale-min", "0.35", "--prototypes", "100",
        "--local-crops", "2", "--bank-negatives", "1024", "--bank-momentum", "0.9",
        "--cmc-views", "2", "--cmc-graph", "CORE", "--cmc-crop-every-view", "true",
        "--seed", "11");
    JobConfig job = learn("learner.method=SWAV", "learner.encoder.kind=GEMM_CNN",
        "learner.encoder.baseWidth=16", "learner.encoder.projectionHidden=256",
        "learner.encoder.projectionDim=64", "learner.batchSize=128", "learner.queueSize=2048",
        "learner.temperature=0.15", "learner.momentum.momentum=0.995",
        "learner.optimizer.kind=ADAM", "learner.optimizer.learningRate=0.06",
        "learner.optimizer.weightDecay=0", "learner.cropScaleMin=0.35",
        "learner.swav.prototypes=100", "learner.swav.localCrops=2", "learner.dino.localCrops=2",
        "learner.instDisc.negatives=1024", "learner.instDisc.bankMomentum=0.9",
        "learner.cmc.views=2", "learner.cmc.graph=CORE", "learner.cmc.cropEveryView=true",
        "learner.seed=11", "learner.encoder.seed=11");
    assertEquals(job.learner(), images(options, 1));
    assertNotEquals(learn().learner(), job.learner());
  }

  /** MoCo v3 with a ViT: the VIT encoder and its transformer blocks, from either home. */
  @Test
  void mocoV3WithAVit() {
    LearnerConfig cli = images(train("--method", "MOCO_V3", "--encoder", "VIT", "--blocks", "2"),
        1);
    assertEquals(learn("learner.method=MOCO_V3", "learner.encoder.kind=VIT",
        "learner.encoder.blocksPerStage=2").learner(), cli);
    assertEquals(EncoderKind.VIT, cli.encoder().kind());
    assertEquals(2, cli.encoder().blocksPerStage());
  }

  /**
   * BYOL's cosine momentum schedule is a setting like any other; the command line fills in its
   * length, the run's micro-batches times the updates each.
   */
  @Test
  void cosineMomentumScheduleRunsOverTheWholeCommand() {
    LearnerConfig cli = images(train("--momentum-schedule", "COSINE"), 100);
    LearnerConfig yaml = learn("learner.momentum.schedule=COSINE",
        "learner.momentum.totalSteps=800").learner();
    assertEquals(yaml, cli);
    assertEquals(new MomentumUpdate(0.99, MomentumUpdate.Schedule.COSINE, 800), cli.momentum());
  }

  /**
   * The replay flags (one set, for every modality) and the YAML's replay keys of each learner
   * build the same configurations.
   */
  @Test
  void replaySettings() {
    LearnerOptions options = train("--updates-per-batch", "4", "--replay-capacity", "512",
        "--replay-max-bytes", "1048576", "--replay-policy", "RESERVOIR");
    List<String> settings = new ArrayList<>();
    for (String learner : List.of("learner", "sentenceLearner", "pairLearner")) {
      settings.addAll(List.of(learner + ".replay.updatesPerBatch=4",
          learner + ".replay.capacity=512", learner + ".replay.maxBytes=1048576",
          learner + ".replay.policy=RESERVOIR"));
    }
    JobConfig job = learn(settings.toArray(String[]::new));
    assertNotEquals(ReplayConfig.NONE, job.sentenceLearner().replay());
    assertEquals(job.learner(), images(options, 1));
    assertEquals(job.sentenceLearner(), options.toSentenceConfig(1));
    EncoderConfig shape = job.pairLearner().image();
    assertEquals(job.pairLearner(),
        options.toPairConfig(shape.channels(), shape.height(), shape.width()));
  }

  /** An encoder without a width takes its kind's default, on the command line and in YAML. */
  @ParameterizedTest
  @EnumSource(value = EncoderKind.class)
  void encoderWidths(EncoderKind kind) {
    JobConfig job = learn("learner.encoder.kind=" + kind);
    assertEquals(job.learner(), images(train("--encoder", kind.name()), 1));
    assertEquals(EncoderConfig.defaultWidth(kind), job.learner().encoder().baseWidth());
  }
}
