package dev.contraflow.cli;

import dev.contraflow.bench.ClipBenchmark;
import dev.contraflow.bench.EncoderSpeed;
import dev.contraflow.bench.MatmulPeak;
import dev.contraflow.bench.QualityBenchmark;
import dev.contraflow.bench.SpeedBenchmark;
import dev.contraflow.bench.StreamBenchmark;
import dev.contraflow.bench.TextQualityBenchmark;
import dev.contraflow.bench.WordNetGlosses;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.eval.LabelledEmbeddings;
import dev.contraflow.io.Image;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.Method;
import dev.contraflow.learn.PairExample;
import dev.contraflow.learn.PairLearner;
import dev.contraflow.learn.PairLearnerConfig;
import dev.contraflow.learn.PairLearnerState;
import dev.contraflow.learn.SentenceLearner;
import dev.contraflow.learn.SentenceLearnerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code contraflow bench}: quality and speed benchmarks. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks: representation quality and training speed.",
    subcommands = {BenchCommand.Quality.class, BenchCommand.Text.class, BenchCommand.Clip.class,
        BenchCommand.Speed.class, BenchCommand.Stream.class})
final class BenchCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  @Command(name = "quality", mixinStandardHelpOptions = true,
      description = "Train online on Fashion-MNIST's training images; kNN and linear probe on the"
          + " test set for the trained encoder, the untrained encoder and raw pixels.")
  static final class Quality implements Callable<Integer> {

    @Mixin FashionMnistData data;

    @Option(names = "--passes", defaultValue = "3",
        description = "Passes over the training images (default ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--minutes", defaultValue = "0",
        description = "Stop training after this many minutes (0 = no limit).")
    double minutes;

    @Option(names = "--train-limit", defaultValue = "0", description = "Use only N training images.")
    int trainLimit;

    @Option(names = "--test-limit", defaultValue = "0", description = "Use only N test images.")
    int testLimit;

    @Option(names = "--samples", defaultValue = "0",
        description = "Train on exactly N samples (cycling over the training images), instead of"
            + " --passes: the same budget for every method (0 = use --passes).")
    long samples;

    @Option(names = "--baselines", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Also score raw pixels and the untrained encoder (default ${DEFAULT-VALUE}).")
    boolean baselines;

    @Mixin LearnerOptions learner;

    @Override
    public Integer call() throws Exception {
      QualityBenchmark bench = new QualityBenchmark(System.out);
      QualityBenchmark.Split train = data.split("train", trainLimit);
      QualityBenchmark.Split test = data.split("t10k", testLimit);
      Image first = train.images().get(0);
      long planned = samples > 0 ? samples : (long) train.images().size() * passes;
      long steps = (planned + learner.imageBatchSize() - 1) / learner.imageBatchSize();
      LearnerConfig config = learner.toConfig(first.channels(), first.height(), first.width(),
          steps);
      System.out.printf("bench quality: %s, %d train / %d test images, %s, %d samples%s%n",
          config.method(), train.images().size(), test.images().size(), config.encoder(), planned,
          minutes > 0 ? ", at most " + minutes + " min" : "");
      List<QualityBenchmark.Row> rows = new ArrayList<>();
      Learner l = new Learner(config);
      if (baselines) {
        rows.add(bench.score("raw pixels", QualityBenchmark.pixels(train),
            QualityBenchmark.pixels(test)));
        LearnerState untrained = l.initialState();
        rows.add(bench.score("untrained encoder", bench.embed(l, untrained, train),
            bench.embed(l, untrained, test)));
      }

      long start = System.nanoTime();
      Duration budget = minutes > 0 ? Duration.ofSeconds(Math.round(minutes * 60)) : null;
      ProgressLine progress = new ProgressLine(System.out, Duration.ofSeconds(30), budget);
      long[] seen = new long[1];
      LearnerState trained = bench.trainOnSamples(l, train, planned, budget, (m, n, total) -> {
        seen[0] = n;
        progress.onStep(m, n, total);
      });
      double trainSeconds = (System.nanoTime() - start) / 1e9;
      LabelledEmbeddings trainedTrain = bench.embed(l, trained, train);
      rows.add(bench.score(config.method() + " (" + config.encoder().kind() + ", online)",
          trainedTrain, bench.embed(l, trained, test)));
      bench.printTable(rows, String.format("%s trained for %d steps (%d samples, %.2f passes) in %s,"
              + " %.0f samples/s; embeddings: L2-normalised %d-d representation of the %s encoder",
          config.method(), trained.step(), seen[0], (double) seen[0] / train.images().size(),
          ProgressLine.format(Math.round(trainSeconds)), seen[0] / Math.max(trainSeconds, 1e-9),
          config.encoder().representationDim(),
          config.method().hasMomentumEncoder() ? "momentum" : "online"));
      return 0;
    }
  }

  @Command(name = "text", mixinStandardHelpOptions = true,
      description = {"Train a sentence encoder online on WordNet 3.0 glosses (90%% of synsets);"
          + " on the held-out 10%%: kNN and linear probe by lexicographer file, example->definition"
          + " retrieval recall@1/@10, alignment and uniformity, for the trained encoder, the"
          + " untrained encoder and TF-IDF. Fetch the data with scripts/fetch-wordnet.sh."})
  static final class Text implements Callable<Integer> {

    @Option(names = "--wordnet", defaultValue = "data/wordnet",
        description = "Folder with WordNet's data.noun/verb/adj/adv (default ${DEFAULT-VALUE}).")
    Path wordnet;

    @Option(names = "--passes", defaultValue = "1",
        description = "Passes over the training sentences (default ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--minutes", defaultValue = "0",
        description = "Stop training after this many minutes (0 = no limit).")
    double minutes;

    @Option(names = "--bank", defaultValue = "10000",
        description = "Training-synset definitions used as kNN bank and probe data (default ${DEFAULT-VALUE}).")
    int bank;

    @Option(names = "--queries", defaultValue = "4000",
        description = "Held-out definitions classified, and example/definition pairs (default ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--supervised",
        description = "Supervised SimCSE instead: train on the training synsets' (definition,"
            + " usage example) pairs, the example as the definition's positive.")
    boolean supervised;

    @Option(names = "--tfidf-features", defaultValue = "8192",
        description = "Words of the TF-IDF baseline (default ${DEFAULT-VALUE}).")
    int tfIdfFeatures;

    @Mixin LearnerOptions learner;

    @Override
    public Integer call() throws Exception {
      TextQualityBenchmark bench = new TextQualityBenchmark(System.out);
      TextQualityBenchmark.Data data = TextQualityBenchmark.prepare(
          WordNetGlosses.load(wordnet), bank, queries, learner.seed);
      int records = supervised ? data.trainingPairs().size() : data.training().size();
      long steps = ((long) records * passes + learner.sentenceBatchSize() - 1)
          / learner.sentenceBatchSize();
      SentenceLearnerConfig config = learner.toSentenceConfig(steps);
      System.out.printf("bench text: %d training %s, bank %d, queries %d, pairs %d; %s,"
              + " width %d, batch %d, queue %d, T %.3f%s%n", records,
          supervised ? "(definition, example) pairs" : "sentences",
          data.bank().size(), data.queries().size(), data.pairExamples().size(), config.method(),
          config.encoder().width(), config.batchSize(), config.queueSize(), config.temperature(),
          minutes > 0 ? ", at most " + minutes + " min" : "");
      SentenceLearner l = new SentenceLearner(config);
      List<TextQualityBenchmark.Row> rows = new ArrayList<>();
      rows.add(bench.score("TF-IDF (" + tfIdfFeatures + " words)",
          TextQualityBenchmark.tfIdf(data, l.tokenizer(), tfIdfFeatures), data));
      rows.add(bench.score("untrained encoder",
          TextQualityBenchmark.encoder(l, l.initialState()), data));

      long start = System.nanoTime();
      Duration budget = minutes > 0 ? Duration.ofSeconds(Math.round(minutes * 60)) : null;
      ProgressLine progress = new ProgressLine(System.out, Duration.ofSeconds(30), budget);
      LearnerState trained = supervised
          ? bench.trainSupervised(l, data, passes, budget, progress::onStep)
          : bench.train(l, data, passes, budget, progress::onStep);
      long trainSeconds = Math.round((System.nanoTime() - start) / 1e9);
      long samples = trained.step() * (long) config.batchSize();
      rows.add(bench.score(config.method() + (supervised ? " supervised (pairs)" : " (online)"),
          TextQualityBenchmark.encoder(l, trained), data));
      bench.printTable(rows, String.format("trained for %d steps (~%d records, %.2f passes) in"
              + " %s; embeddings: L2-normalised %d-d representation of the momentum encoder",
          trained.step(), samples, (double) samples / records,
          ProgressLine.format(trainSeconds), config.encoder().width()));
      return 0;
    }
  }

  @Command(name = "clip", mixinStandardHelpOptions = true,
      description = {"Train CLIP online on Fashion-MNIST training images paired with captions"
          + " TEMPLATED FROM THEIR LABELS (class words plus the image's tone; Fashion-MNIST has no"
          + " captions); on held-out test pairs: image->text and text->image recall@1/@5/@10 and"
          + " class-level hits, and zero-shot classification, for the trained and the untrained"
          + " model and the ceiling that templated captions allow. The image encoder is an MLP"
          + " unless --encoder is given."})
  static final class Clip implements Callable<Integer> {

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin FashionMnistData data;

    @Option(names = "--passes", defaultValue = "3",
        description = "Passes over the training images, captions redrawn each pass (default"
            + " ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--minutes", defaultValue = "3",
        description = "Stop training after this many minutes (default ${DEFAULT-VALUE}; 0 = no"
            + " limit).")
    double minutes;

    @Option(names = "--train-limit", defaultValue = "0", description = "Use only N training images.")
    int trainLimit;

    @Option(names = "--test-limit", defaultValue = "2000",
        description = "Held-out test pairs (default ${DEFAULT-VALUE}).")
    int testLimit;

    @Mixin LearnerOptions learner;

    @Override
    public Integer call() throws Exception {
      ClipBenchmark bench = new ClipBenchmark(System.out);
      QualityBenchmark.Split train = data.split("train", trainLimit);
      QualityBenchmark.Split test = data.split("t10k", testLimit);
      Image first = train.images().get(0);
      if (!spec.commandLine().getParseResult().hasMatchedOption("--encoder")) {
        // the text tower already costs most of a step; an MLP image tower lets a run of a few
        // minutes see the training set about twice, where the CNN sees a third of it
        learner.encoder = EncoderKind.MLP;
      }
      PairLearnerConfig config = learner.toPairConfig(first.channels(), first.height(),
          first.width());
      PairLearner l = new PairLearner(config);
      List<PairExample> pairs = ClipBenchmark.trainingPairs(train.images(), train.labels(),
          passes, l.tokenizer(), config.seed());
      ClipBenchmark.HeldOut heldOut = ClipBenchmark.heldOut(test.images(), test.labels(),
          l.tokenizer(), config.seed());
      System.out.printf("bench clip: %d training pairs (%d images x %d pass(es), captions"
              + " templated from labels), %d held-out test pairs; image %s w%d, text w%d, d %d,"
              + " batch %d, %s lr %s, T0 %.3f%s%n", pairs.size(), train.images().size(), passes,
          test.images().size(), config.image().kind(), config.image().baseWidth(),
          config.text().width(), config.dim(), config.batchSize(), config.optimizer().kind(),
          config.optimizer().learningRate(), config.initialTemperature(),
          minutes > 0 ? ", at most " + minutes + " min" : "");
      List<ClipBenchmark.Row> rows = new ArrayList<>();
      rows.add(ClipBenchmark.ceiling(heldOut));
      rows.add(bench.score("untrained", l, l.initialState(), heldOut));

      long start = System.nanoTime();
      Duration budget = minutes > 0 ? Duration.ofSeconds(Math.round(minutes * 60)) : null;
      ProgressLine progress = new ProgressLine(System.out, Duration.ofSeconds(20), budget);
      PairLearnerState trained = TrainCommand.train(l, pairs, 1, budget, progress);
      long trainSeconds = Math.round((System.nanoTime() - start) / 1e9);
      long samples = Math.min(pairs.size(), trained.step() * (long) config.batchSize());
      rows.add(bench.score("CLIP (online)", l, trained, heldOut));
      bench.printTable(rows, String.format("trained for %d steps (~%d pairs, %.2f passes) in %s,"
              + " learned temperature %.4f (scale %.1f); embeddings: L2-normalised %d-d"
              + " projections of either tower; recall ties counted as expected under random"
              + " order", trained.step(), samples, (double) samples / train.images().size(),
          ProgressLine.format(trainSeconds), trained.logitScale().temperature(),
          trained.logitScale().scale(), config.dim()));
      return 0;
    }
  }

  @Command(name = "speed", mixinStandardHelpOptions = true,
      description = "Learner.step samples/s and model FLOP/s as a fraction of ND4J matmul FLOP/s.")
  static final class Speed implements Callable<Integer> {

    @Mixin FashionMnistData data;

    @Option(names = "--steps", defaultValue = "20", description = "Measured steps per configuration.")
    int steps;

    @Option(names = "--warmup", defaultValue = "3", description = "Unmeasured steps first.")
    int warmup;

    @Option(names = "--methods",
        description = "Instead: every image method's train step with the same encoder, in one run,"
            + " as samples/s and as a ratio to MoCo v2's.")
    boolean methods;

    @Option(names = "--peer",
        description = "Also run the PyTorch peer (MoCo v2, CNN w32 B256; needs /usr/bin/python3"
            + " with torch) in the same run and print samples/s against it.")
    boolean peer;

    @Option(names = "--encoders", split = ",",
        description = "Instead: these encoder kinds alone (forward + backward), interleaved with"
            + " ND4J matmul, e.g. CNN,GEMM_CNN,MLP,GEMM_MLP,PATCH_MLP.")
    List<EncoderKind> encoders;

    @Mixin LearnerOptions learner;

    @Override
    public Integer call() throws Exception {
      List<Image> images = data.split("train", 4096).images();
      Image first = images.get(0);
      if (methods) {
        return compareMethods(images, first);
      }
      if (encoders != null) {
        EncoderConfig e = learner.toConfig(first.channels(), first.height(), first.width(), 1)
            .encoder();
        new EncoderSpeed(System.out).compare(encoders.stream().map(e::withKind).toList(),
            learner.imageBatchSize(), steps);
        return 0;
      }
      double peak = MatmulPeak.gflops(1024, 9);
      System.out.printf("ND4J float matmul 1024^3: %.1f GFLOP/s (median of 9)%n", peak);
      SpeedBenchmark bench = new SpeedBenchmark(System.out);
      LearnerConfig config = learner.toConfig(first.channels(), first.height(), first.width(), 1);
      SpeedBenchmark.Result train = bench.measure("train step, " + config.encoder().kind() + " w"
          + config.encoder().baseWidth() + " B" + config.batchSize(), config, images, false, warmup,
          steps, peak);
      bench.measure("train step + embed (stream job)", config, images, true, warmup, steps, peak);
      if (config.encoder().kind() != EncoderKind.MLP) {
        LearnerConfig mlp = config.withEncoder(config.encoder().withKind(EncoderKind.MLP));
        bench.measure("train step, MLP w" + mlp.encoder().baseWidth(), mlp, images, false, warmup,
            steps, peak);
      }
      if (peer) {
        bench.comparePeer(train, config);
      }
      return 0;
    }
    private int compareMethods(List<Image> images, Image first) {
      SpeedBenchmark bench = new SpeedBenchmark(System.out);
      LearnerConfig base = learner.toConfig(first.channels(), first.height(), first.width(), 1);
      Map<Method, Double> samplesPerSecond = new LinkedHashMap<>();
      for (Method m : Method.values()) {
        if (m.forSentences()) {
          continue;
        }
        LearnerConfig c = base.withMethod(m).withTemperature(m.defaultTemperature());
        // InstDisc trains only on records its bank has seen: it cycles over one batch of images,
        // which the warm-up step stores, so every measured step is a full step
        List<Image> measured = m == Method.INSTDISC
            ? images.subList(0, Math.min(images.size(), c.batchSize())) : images;
        samplesPerSecond.put(m, bench.measure(m + ", " + c.encoder().kind() + " w"
            + c.encoder().baseWidth() + " B" + c.batchSize(), c, measured, false,
            Math.max(warmup, 1), steps, Double.NaN).samplesPerSecond());
      }
      double moco = samplesPerSecond.get(Method.MOCO);
      System.out.println();
      System.out.println("| method | samples/s | / MoCo v2 |");
      System.out.println("|---|---|---|");
      samplesPerSecond.forEach((m, v) -> System.out.printf("| %s | %.0f | %.2f |%n", m, v,
          v / moco));
      return 0;
    }
  }

  @Command(name = "stream", mixinStandardHelpOptions = true,
      description = {"Records/s through the embedded job (Kafka in -> embeddings visible to a "
          + "read_committed consumer) against Learner.step alone on the same images, then "
          + "produce-to-visible latency p50/p99 at a fixed rate below capacity."})
  static final class Stream implements Callable<Integer> {

    @Mixin FashionMnistData data;

    @Option(names = "--limit", defaultValue = "20000",
        description = "Training images streamed for the throughput run (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--rate-fraction", defaultValue = "0.5",
        description = "Input rate of the latency run as a fraction of the measured throughput "
            + "(default ${DEFAULT-VALUE}).")
    double rateFraction;

    @Option(names = "--latency-seconds", defaultValue = "30",
        description = "How long the latency run produces (default ${DEFAULT-VALUE}).")
    int latencySeconds;

    @Mixin JobConfigOptions jobOptions;

    @Option(names = "--work-dir", defaultValue = "target/bench-stream",
        description = "Broker logs and checkpoints (default ${DEFAULT-VALUE}).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
      if (!(rateFraction > 0 && rateFraction < 1)) {
        throw new IllegalArgumentException("--rate-fraction must be in (0, 1), got "
            + rateFraction);
      }
      List<Image> images = data.split("train", limit).images();
      Path work = workDir.toAbsolutePath();
      List<String> all = new ArrayList<>(List.of(
          "job.name=contraflow-bench",
          "job.checkpointInterval=1s",
          "job.batchTimeout=200ms",
          "job.checkpointDir=" + work.resolve("checkpoints").toUri(),
          "publish.modelStore=" + work.resolve("models").toUri()));
      JobConfig job = jobOptions.load(all);
      System.out.printf("bench stream: %d images, %s w%d B%d, checkpoint every %s, batch "
              + "timeout %s%n", images.size(), job.learner().encoder(), job.learner().width(),
          job.learner().batchSize(), job.job().checkpointInterval(), job.job().batchTimeout());
      new StreamBenchmark(System.out).run(job, images, work, rateFraction,
          Duration.ofSeconds(latencySeconds));
      return 0;
    }
  }
}
