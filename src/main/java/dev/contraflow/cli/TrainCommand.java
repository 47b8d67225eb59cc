package dev.contraflow.cli;

import dev.contraflow.io.image.EncoderInput;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.ImageSource;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.io.text.TokenizedSentence;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.ModelFile;
import dev.contraflow.learn.OnlineTrainer;
import dev.contraflow.learn.PairExample;
import dev.contraflow.learn.PairLearnerConfig;
import dev.contraflow.learn.SentenceExample;
import dev.contraflow.learn.StepMetrics;
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

/**
 * {@code contraflow train}: streams images, sentences or image-text pairs through a learner,
 * writes a model file.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train an encoder online on images or sentences streamed in file order (labels"
        + " are never used), or an image and a text encoder together on image-text pairs (CLIP).")
final class TrainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ImageInputOptions input;

  @Mixin EncoderInputOptions encoderInput;

  @Mixin SentenceInputOptions text;

  @Mixin PairInputOptions pairs;

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
    int inputs = (text.given() ? 1 : 0) + (input.images != null ? 1 : 0)
        + (pairs.given() ? 1 : 0);
    if (inputs != 1) {
      throw new ParameterException(spec.commandLine(), (inputs == 0 ? "Missing input" :
          "Too many inputs") + ": give one of --images, --sentences or --pairs");
    }
    if (text.given()) {
      return trainOnSentences();
    }
    if (pairs.given()) {
      return trainOnPairs();
    }
    EncoderInput shape = encoderInput.toInput();
    ImageSource source = input.open(shape, System.err);
    long totalSteps = steps(source.size(), learner.imageBatchSize());
    LearnerConfig config = learner.toConfig(shape.channels(), shape.height(), shape.width(),
        totalSteps);
    Learner<Image> l = Learner.images(config);
    System.err.printf("training %s/%s on %d images (%dx%dx%d), %d pass(es), batch %d, %d steps%n",
        config.method(), config.encoder().kind(), source.size(), shape.channels(), shape.height(),
        shape.width(), passes, config.batchSize(), totalSteps);
    ProgressLine progress = new ProgressLine(System.err, Duration.ofSeconds(progressSeconds));
    Instant start = Instant.now();
    ImageInputOptions.Refusals refusals = new ImageInputOptions.Refusals(System.err);
    LearnerState state = OnlineTrainer.trainPasses(l, l.initialState(),
        source.accepted(refusals), passes, source.size(), null, progress::onStep);
    int trained = source.size() - refusals.count();
    ModelFile.write(modelOut, new ModelFile.Model(config, state,
        provenance(input.images, trained, start)));
    System.err.printf("wrote %s (model version %d; %d images trained on, %d refused)%n", modelOut,
        state.step(), trained, refusals.count());
    return 0;
  }

  private Integer trainOnSentences() throws Exception {
    SentenceLearnerConfig probe = learner.toSentenceConfig(1);
    List<TokenizedSentence> sentences = text.load(new SentenceTokenizer(probe.tokenizer()),
        input.limit, System.err);
    long totalSteps = steps(sentences.size(), probe.batchSize());
    SentenceLearnerConfig config = learner.toSentenceConfig(totalSteps);
    Learner<SentenceExample> l = Learner.sentences(config);
    System.err.printf("training %s on %d sentences, %d pass(es), batch %d, %d steps%n",
        config.method(), sentences.size(), passes, config.batchSize(), totalSteps);
    // CPC reads the file as one document, line after line; the other methods each line alone
    List<SentenceExample> examples = config.method() == dev.contraflow.learn.Method.CPC
        ? java.util.stream.IntStream.range(0, sentences.size())
            .mapToObj(i -> SentenceExample.inSequence(sentences.get(i), "lines", i)).toList()
        : sentences.stream().map(SentenceExample::of).toList();
    ProgressLine progress = new ProgressLine(System.err, Duration.ofSeconds(progressSeconds));
    Instant start = Instant.now();
    LearnerState state = OnlineTrainer.train(l, l.initialState(), examples, passes,
        progress::onStep);
    ModelFile.write(modelOut, new ModelFile.SentenceModel(config, state,
        provenance(text.sentences, sentences.size(), start)));
    System.err.printf("wrote %s (model version %d)%n", modelOut, state.step());
    return 0;
  }

  private Integer trainOnPairs() throws Exception {
    EncoderInput shape = encoderInput.toInput();
    PairLearnerConfig config = learner.toPairConfig(shape.channels(), shape.height(),
        shape.width());
    List<PairExample> examples = pairs.load(new SentenceTokenizer(config.tokenizer()),
        new ImageDecoder(shape), input.limit, System.err);
    Learner<PairExample> l = Learner.pairs(config);
    long totalSteps = steps(examples.size(), config.batchSize());
    System.err.printf("training CLIP (%s w%d + text w%d, d %d) on %d pairs, %d pass(es), batch %d,"
            + " %d steps%n", config.image().kind(), config.image().baseWidth(),
        config.text().width(), config.dim(), examples.size(), passes, config.batchSize(),
        totalSteps);
    ProgressLine progress = new ProgressLine(System.err, Duration.ofSeconds(progressSeconds));
    Instant start = Instant.now();
    LearnerState state = train(l, examples, passes, null, progress);
    ModelFile.write(modelOut, new ModelFile.PairModel(config, state,
        provenance(pairs.pairs, examples.size(), start)));
    System.err.printf("wrote %s (model version %d, temperature %.4f)%n", modelOut, state.step(),
        state.logitScale().temperature());
    return 0;
  }

  /** Trains CLIP over {@code examples}, printing the learned scale in the progress lines. */
  static LearnerState train(Learner<PairExample> learner, List<PairExample> examples,
      int passes, Duration budget, ProgressLine progress) {
    OnlineTrainer.Listener withScale = new OnlineTrainer.Listener() {
      @Override
      public void onStep(StepMetrics m, long seen, long total) {
        progress.onStep(m, seen, total);
      }

      @Override
      public void onStep(StepMetrics m, LearnerState state, long seen, long total) {
        progress.onStep(m, seen, total,
            String.format("scale %.1f", state.logitScale().scale()));
      }
    };
    return OnlineTrainer.train(learner, learner.initialState(), examples, passes, budget,
        withScale);
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
