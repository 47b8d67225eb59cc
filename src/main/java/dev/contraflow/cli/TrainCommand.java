package dev.contraflow.cli;

import dev.contraflow.io.Image;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.ModelFile;
import dev.contraflow.learn.OnlineTrainer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code contraflow train}: streams images through the learner and writes a model file. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train an encoder online on images streamed in file order (labels are never used).")
final class TrainCommand implements Callable<Integer> {

  @Mixin ImageInput input;

  @Option(names = "--passes", defaultValue = "1",
      description = "Passes over the images (default ${DEFAULT-VALUE}).")
  int passes;

  @Option(names = "--model-out", required = true, description = "Model file to write.")
  Path modelOut;

  @Option(names = "--progress-seconds", defaultValue = "5",
      description = "Seconds between progress lines (default ${DEFAULT-VALUE}).")
  int progressSeconds;

  @Mixin LearnerOptions learner;

  @Override
  public Integer call() throws Exception {
    List<Image> images = input.load();
    Image first = images.get(0);
    long totalSteps = ((long) images.size() * passes + learner.batchSize - 1) / learner.batchSize;
    LearnerConfig config = learner.toConfig(first.channels(), first.height(), first.width(),
        totalSteps);
    Learner l = new Learner(config);
    System.err.printf("training %s/%s on %d images (%dx%dx%d), %d pass(es), batch %d, %d steps%n",
        config.method(), config.encoder().kind(), images.size(), first.channels(), first.height(),
        first.width(), passes, config.batchSize(), totalSteps);
    ProgressLine progress = new ProgressLine(System.err, Duration.ofSeconds(progressSeconds));
    Instant start = Instant.now();
    LearnerState state = OnlineTrainer.train(l, l.initialState(), images, passes, progress::onStep);
    ModelFile.write(modelOut, new ModelFile.Model(config, state, Map.of(
        "data", input.images.toString(),
        "samples", Long.toString((long) images.size() * passes),
        "trainedAt", Instant.now().toString(),
        "trainingSeconds", Long.toString(Duration.between(start, Instant.now()).toSeconds()))));
    System.err.printf("wrote %s (model version %d)%n", modelOut, state.step());
    return 0;
  }
}
