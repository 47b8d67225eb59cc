package dev.contraflow.cli;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.CheckpointStatus;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.eval.ClassNames;
import dev.contraflow.eval.EvalReport;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.eval.ReplayEvaluation;
import dev.contraflow.io.image.EncoderInput;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.ImageSource;
import dev.contraflow.io.image.LabelledImages;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.learner.ModelStore;
import dev.contraflow.kafka.LabelledImageTopic;
import dev.contraflow.kafka.TopicSnapshot;
import dev.contraflow.learn.ModelFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Replays labelled images through checkpoints and reports how good each one is. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Scores checkpoints on labelled images: weighted kNN (k=200, T=0.07), linear "
        + "probe, alignment, uniformity, embedding std and drift between consecutive "
        + "checkpoints; raw pixels as the baseline. Writes report.json and a self-contained "
        + "report.html and prints a summary."})
final class EvalCommand implements Callable<Integer> {

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--images",
        description = "Labelled images (IDX with its labels file next to it, or a Fashion-MNIST "
            + "folder): the bank, and the queries too unless --queries is given.")
    Path images;

    @Option(names = "--images-topic", description = "A labelled stream instead: ImageRecords "
        + "of this topic whose attributes carry \"label\" (an integer); needs --bootstrap.")
    String topic;
  }

  @Option(names = "--limit", defaultValue = "10000",
      description = "Use the first N images (default ${DEFAULT-VALUE}; 0 = all).")
  int limit;

  @Option(names = "--queries", description = "Labelled query images (e.g. the t10k IDX file); "
      + "without it the last 20%% of --images are the queries.")
  Path queries;

  @Option(names = "--query-limit", defaultValue = "2000",
      description = "Use the first N query images (default ${DEFAULT-VALUE}; 0 = all).")
  int queryLimit;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Checkpoints checkpoints;

  static final class Checkpoints {
    @Option(names = "--checkpoint", arity = "1..*", paramLabel = "URI",
        description = "Model files or URIs: --checkpoint a.cfm b.cfm, or the option repeated.")
    List<String> uris;

    @Option(names = "--checkpoints-topic",
        description = "Read the checkpoint records of this topic (needs --bootstrap).")
    String topic;
  }

  @Option(names = "--bootstrap",
      description = "Kafka bootstrap servers for --images-topic and --checkpoints-topic.")
  String bootstrap;

  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
      description = "Passed to the Kafka consumer of --images-topic and --checkpoints-topic "
          + "(security.protocol, sasl.*, ssl.* ...); repeatable.")
  Map<String, String> kafkaProperties = new LinkedHashMap<>();

  @Mixin TimeRangeOptions range; // of --images-topic

  @Option(names = "--model-id", description = "Only this model's checkpoints from the topic.")
  String modelId;

  @Option(names = "--class-names", paramLabel = "FILE", description = "Names of the labels for "
      + "the report's legend, one a line (line i names label i). Default: class-names.txt next "
      + "to --images, Fashion-MNIST's classes for a fashion-mnist path, else \"label N\".")
  Path classNames;

  @Option(names = "--out", defaultValue = "target/eval",
      description = "Folder for report.json and report.html (default ${DEFAULT-VALUE}).")
  Path out;

  @Spec CommandSpec spec;

  @Mixin EncoderInputOptions encoderInput;

  @Override
  public Integer call() throws Exception {
    for (Path labelled : new Path[] {source.images, queries}) {
      if (labelled != null) {
        labelsFor(labelled); // before the checkpoints are read: a missing file fails fast
      }
    }
    List<ReplayEvaluation.Checkpoint> models = new ArrayList<>();
    for (String uri : checkpointUris()) {
      ModelFile.Model m = ModelStore.read(uri);
      models.add(new ReplayEvaluation.Checkpoint(uri, m.state().step(), m.config(), m.state()));
    }
    models.sort(Comparator.comparingLong(ReplayEvaluation.Checkpoint::version));
    ReplayEvaluation.Dataset data = dataset(new ImageDecoder(inputOf(models)));
    System.err.printf("eval: %d checkpoint(s), %d bank and %d query images%n", models.size(),
        data.bank().size(), data.queries().size());
    ReplayEvaluation.Result result = new ReplayEvaluation(System.err).evaluate(data, models);
    Files.createDirectories(out);
    EvalReport.writeJson(result, out.resolve("report.json"));
    EvalReport.writeHtml(result, names(), out.resolve("report.html"));
    PrintWriter terminal = spec.commandLine().getOut();
    EvalReport.printSummary(result, terminal);
    terminal.println("wrote " + out.resolve("report.json") + " and "
        + out.resolve("report.html"));
    terminal.flush();
    return 0;
  }

  private ClassNames names() throws IOException {
    if (classNames != null) {
      return ClassNames.read(classNames);
    }
    return source.images != null ? ClassNames.forImages(source.images) : ClassNames.NONE;
  }

  private List<String> checkpointUris() {
    if (checkpoints.uris != null) {
      return checkpoints.uris;
    }
    if (bootstrap == null) {
      throw new IllegalArgumentException("--checkpoints-topic needs --bootstrap HOST:PORT");
    }
    List<String> uris = TopicSnapshot.read(bootstrap, checkpoints.topic,
            RecordCodec.singleObject(CheckpointRecord.class), kafkaProperties, Duration.ofSeconds(60))
        .stream()
        .filter(c -> modelId == null || c.getModelId().equals(modelId))
        .filter(c -> c.getStatus() == CheckpointStatus.PUBLISHED) // not gated out, not a marker
        .map(CheckpointRecord::getUri)
        .distinct()
        .toList();
    if (uris.isEmpty()) {
      throw new IllegalArgumentException("no checkpoint records" + (modelId == null ? ""
          : " of model " + modelId) + " on topic " + checkpoints.topic);
    }
    return uris;
  }

  /**
   * The images are decoded once, to the checkpoints' input (kept in memory at that size: the
   * bank and the queries); checkpoints of different input shapes cannot share them.
   */
  private EncoderInput inputOf(List<ReplayEvaluation.Checkpoint> models) {
    EncoderConfig first = models.get(0).config().encoder();
    for (ReplayEvaluation.Checkpoint c : models) {
      EncoderConfig e = c.config().encoder();
      if (e.channels() != first.channels() || e.height() != first.height()
          || e.width() != first.width()) {
        throw new IllegalArgumentException("checkpoint " + c.source() + " takes " + e.channels()
            + "x" + e.height() + "x" + e.width() + " inputs, " + models.get(0).source() + " takes "
            + first.channels() + "x" + first.height() + "x" + first.width()
            + "; evaluate checkpoints of one input shape together");
      }
    }
    return encoderInput.forModel(first.channels(), first.height(), first.width());
  }

  private ReplayEvaluation.Dataset dataset(ImageDecoder decoder) throws Exception {
    LabelledImages bank = source.images != null ? load(source.images, limit, decoder)
        : fromTopic(decoder);
    if (queries != null) {
      LabelledImages q = load(queries, queryLimit, decoder);
      return new ReplayEvaluation.Dataset(bank.images(), bank.labels(), q.images(), q.labels());
    }
    int split = bank.size() * 4 / 5;
    if (split < 10 || bank.size() - split < 10) {
      throw new IllegalArgumentException("too few labelled images"
          + " to hold out queries; use more or give --queries");
    }
    return new ReplayEvaluation.Dataset(bank.images().subList(0, split),
        Arrays.copyOfRange(bank.labels(), 0, split), bank.images().subList(split,
        bank.size()), Arrays.copyOfRange(bank.labels(), split, bank.size()));
  }

  /** The labelled ImageRecords of a topic, in partition and offset order, up to --limit. */
  private LabelledImages fromTopic(ImageDecoder decoder) {
    if (bootstrap == null) {
      throw new IllegalArgumentException("--images-topic needs --bootstrap HOST:PORT");
    }
    LabelledImageTopic read = LabelledImageTopic.read(bootstrap, source.topic, range.range(),
        RecordCodec.singleObject(ImageRecord.class), kafkaProperties, decoder, limit,
        Duration.ofSeconds(120));
    if (read.unlabelled() > 0) {
      System.err.printf("eval: skipped %d records without a \"label\" attribute%n",
          read.unlabelled());
    }
    if (read.undecodable() > 0) {
      System.err.printf("eval: skipped %d records whose image does not decode%n",
          read.undecodable());
    }
    return read.images();
  }

  /** The labelled images at {@code path}; a refused image is told of and left out with its label. */
  private static LabelledImages load(Path path, int limit, ImageDecoder decoder) throws Exception {
    if (limit < 0) {
      throw new IllegalArgumentException("limits must be >= 0, got " + limit);
    }
    return LabelledImages.fromFiles(path, limit, decoder,
        item -> ImageInputOptions.printRefusal(System.err, item));
  }

  private static int[] labelsFor(Path path) throws IOException {
    return ImageSource.labelsFor(path).orElseThrow(() -> new IllegalArgumentException(
        "no labels next to " + path + " (eval needs labelled images: an IDX images file with "
            + "its labels file)"));
  }
}
