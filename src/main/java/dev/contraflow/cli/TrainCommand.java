package dev.contraflow.cli;

import dev.contraflow.io.Image;
import dev.contraflow.io.SentenceTokenizer;
import dev.contraflow.io.TokenizedSentence;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.ModelFile;
import dev.contraflow.learn.OnlineTrainer;
import dev.contraflow.learn.SentenceBatch;
import dev.contraflow.learn.SentenceExample;
import dev.contraflow.learn.SentenceLearner;
import dev.contraflow.learn.SentenceLearnerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code contraflow train}: streams images or sentences through a learner, writes a model file. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train an encoder online on images or sentences streamed in file order (labels"
        + " are never used).")
final class TrainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ImageInput input;

  @Mixin SentenceInput text;

  @Option(names = "--passes", defaultValue = "1",
      description = "Passes over the images or sentences (default ${DEFAULT-VALUE}).")
  int passes;

  @Option(names = "--model-out", required = true, description = "Model file to write.")
  Path modelOut;

  @Option(names = "--progress-seconds", defaultValue = "5",
      description = "Seconds between progress lines (default ${DEFAULT-VALUE}).")
  int progressSeconds;

  @Mixin LearnerOptions learner;

  @Override
  public Integer call() throws Exception {
    if (text.given() == (input.images != null)) {
      throw new ParameterException(spec.commandLine(),
          "Missing input: give either --images or --sentences");
    }
    if (text.given()) {
      return trainOnSentences();
    }
    List<Image> images = input.load();
    Image first = images.get(0);
    long totalSteps = steps(images.size(), learner.imageBatchSize());
    LearnerConfig config = learner.toConfig(first.channels(), first.height(), first.width(),
        totalSteps);
    Learner l = new Learner(config);
    System.err.printf("training %s/%s on %d images (%dx%dx%d), %d pass(es), batch %d, %d steps%n",
        config.method(), config.encoder().kind(), images.size(), first.channels(), first.height(),
        first.width(), passes, config.batchSize(), totalSteps);
    ProgressLine progress = new ProgressLine(System.err, Duration.ofSeconds(progressSeconds));
    Instant start = Instant.now();
    LearnerState state = OnlineTrainer.train(l, l.initialState(), images, passes, progress::onStep);
    ModelFile.write(modelOut, new ModelFile.Model(config, state,
        provenance(input.images, images.size(), start)));
    System.err.printf("wrote %s (model version %d)%n", modelOut, state.step());
    return 0;
  }

  private Integer trainOnSentences() throws Exception {
    SentenceLearnerConfig probe = learner.toSentenceConfig(1);
    List<TokenizedSentence> sentences = text.load(new SentenceTokenizer(probe.tokenizer()),
        input.limit, System.err);
    long totalSteps = steps(sentences.size(), probe.batchSize());
    SentenceLearnerConfig config = learner.toSentenceConfig(totalSteps);
    SentenceLearner l = new SentenceLearner(config);
    System.err.printf("training %s on %d sentences, %d pass(es), batch %d, %d steps%n",
        config.method(), sentences.size(), passes, config.batchSize(), totalSteps);
    List<SentenceExample> examples = sentences.stream().map(SentenceExample::of).toList();
    ProgressLine progress = new ProgressLine(System.err, Duration.ofSeconds(progressSeconds));
    Instant start = Instant.now();
    LearnerState state = OnlineTrainer.train(
        (s, batch) -> l.step(s, SentenceBatch.trainingOnly(batch)), config.batchSize(),
        l.initialState(), examples, passes, null, progress::onStep);
    ModelFile.write(modelOut, new ModelFile.SentenceModel(config, state,
        provenance(text.sentences, sentences.size(), start)));
    System.err.printf("wrote %s (model version %d)%n", modelOut, state.step());
    return 0;
  }

  private long steps(int records, int batchSize) {
    return ((long) records * passes + batchSize - 1) / batchSize;
  }

  private Map<String, String> provenance(Path data, int records, Instant start) {
    return Map.of(
        "data", data.toString(),
        "samples", Long.toString((long) records * passes),
        "trainedAt", Instant.now().toString(),
        "trainingSeconds", Long.toString(Duration.between(start, Instant.now()).toSeconds()));
  }
}
