package dev.contraflow.cli;

import dev.contraflow.job.config.JobConfigOptions;
import dev.contraflow.bench.AustenNovels;
import dev.contraflow.bench.CpcBenchmark;
import dev.contraflow.bench.EncoderSpeed;
import dev.contraflow.bench.GemmPaths;
import dev.contraflow.bench.NovelAttribution;
import dev.contraflow.bench.PhotoBenchmark;
import dev.contraflow.bench.PhotoCorpus;
import dev.contraflow.bench.QualityBenchmark;
import dev.contraflow.bench.SpeedBenchmark;
import dev.contraflow.bench.StreamBenchmark;
import dev.contraflow.bench.TextQualityBenchmark;
import dev.contraflow.bench.WordNetGlosses;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.io.image.EncoderInput;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.ImageSource;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.learn.CpcConfig;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.PairLearnerConfig;
import dev.contraflow.learn.SentenceLearnerConfig;
import dev.contraflow.serve.IndexOptions;
import dev.contraflow.serve.SearchBenchmark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code contraflow bench}: the options of the quality and speed benchmarks. Each subcommand turns
 * its options into a configuration and hands it to its run ({@link QualityRun},
 * {@link TextQualityRun}, {@link ClipRun}, {@link SpeedBenchmark}, {@link StreamBenchmark}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks: representation quality, training speed, and the memory a folder"
        + " of photos takes.",
    subcommands = {BenchCommand.Quality.class, BenchCommand.Text.class, BenchCommand.Cpc.class,
        BenchCommand.Clip.class,
        BenchCommand.Speed.class, BenchCommand.Stream.class, BenchCommand.Photos.class,
        BenchCommand.Serve.class})
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
      QualityBenchmark.Split train = data.split("train", trainLimit);
      QualityBenchmark.Split test = data.split("t10k", testLimit);
      Image first = train.images().get(0);
      long planned = samples > 0 ? samples : (long) train.images().size() * passes;
      long steps = (planned + learner.imageBatchSize() - 1) / learner.imageBatchSize();
      LearnerConfig config = learner.toConfig(first.channels(), first.height(), first.width(),
          steps);
      new QualityRun(config, train, test, planned, minutes, baselines).run(System.out);
      return 0;
    }
  }

  @Command(name = "text", mixinStandardHelpOptions = true,
      description = {"Train a sentence encoder online on WordNet 3.0 glosses (90%% of synsets);"
          + " on the held-out 10%%: kNN and linear probe by lexicographer file, example->definition"
          + " retrieval recall@1/@10, alignment and uniformity, for the trained encoder, the"
          + " untrained encoder and TF-IDF. Fetch the data with scripts/fetch-wordnet.sh."
          + " --source AUSTEN: the same on Jane Austen's novels (which novel a held-out sentence"
          + " comes from; sentence->next sentence)."})
  static final class Text implements Callable<Integer> {

    @Option(names = "--wordnet", defaultValue = "data/wordnet",
        description = "Folder with WordNet's data.noun/verb/adj/adv (default ${DEFAULT-VALUE}).")
    Path wordnet;

    @Option(names = "--source", defaultValue = "WORDNET",
        description = "Sentences and task: WORDNET (glosses; lexicographer file, example->"
            + "definition) or AUSTEN (Jane Austen's six novels; which novel a held-out sentence"
            + " comes from, sentence->next sentence; scripts/fetch-janeausten.sh) (default"
            + " ${DEFAULT-VALUE}).")
    TextSource source;

    @Option(names = "--austen", defaultValue = "data/janeausten",
        description = "Folder with the six novels' text files (default ${DEFAULT-VALUE}).")
    Path austen;

    @Option(names = "--passes", defaultValue = "1",
        description = "Passes over the training sentences (default ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--minutes", defaultValue = "0",
        description = "Stop training after this many minutes (0 = no limit).")
    double minutes;

    // one pass of 16k sentences and the evaluation fit in 15 minutes on 2 shared cores; all 150k
    // take about 25 minutes a pass even with the machine to itself
    @Option(names = "--stream", defaultValue = "16000",
        description = "Training sentences streamed per pass: the first N of the shuffled"
            + " training set (default ${DEFAULT-VALUE}; 0 = all 149,524; --supervised: pairs).")
    int stream;

    @Option(names = "--bank", defaultValue = "5000",
        description = "Training-synset definitions used as kNN bank and probe data (default ${DEFAULT-VALUE}).")
    int bank;

    @Option(names = "--queries", defaultValue = "2000",
        description = "Held-out definitions classified, and example/definition pairs (default ${DEFAULT-VALUE}).")
    int queries;

    // supervised by default: the pairs are what one pass can learn retrieval from (unsupervised
    // views of single sentences moved the hashed bag away from TF-IDF's geometry; README)
    @Option(names = "--supervised", negatable = true, defaultValue = "true",
        fallbackValue = "true",
        description = "Supervised SimCSE: train on the training synsets' (definition, usage"
            + " example) pairs, the example as the definition's positive (AUSTEN: a sentence and"
            + " the next); --no-supervised: the training sentences one by one, two views each"
            + " (default ${DEFAULT-VALUE}).")
    boolean supervised;

    @Option(names = "--tfidf-features", defaultValue = "8192",
        description = "Words of the TF-IDF baseline (default ${DEFAULT-VALUE}).")
    int tfIdfFeatures;

    @Option(names = "--skip-baselines",
        description = "Score the trained encoder only: TF-IDF and the untrained encoder score the"
            + " same in every run on the same data, and TF-IDF's 8192-d rows cost most of the"
            + " evaluation.")
    boolean skipBaselines;

    @Mixin LearnerOptions learner;

    @Override
    public Integer call() throws Exception {
      // the bound settings know the seed's default (--seed is null when not given)
      SentenceLearnerConfig probe = learner.toSentenceConfig(1);
      TextQualityBenchmark.Data data = source == TextSource.AUSTEN
          ? NovelAttribution.prepare(AustenNovels.load(austen), bank, queries, probe.seed())
          : TextQualityBenchmark.prepare(WordNetGlosses.load(wordnet), bank, queries,
              probe.seed());
      TextQualityBenchmark.Data streamed = data.streamOf(stream);
      int records = supervised ? streamed.trainingPairs().size() : streamed.training().size();
      long steps = ((long) records * passes + probe.batchSize() - 1) / probe.batchSize();
      SentenceLearnerConfig config = learner.toSentenceConfig(steps);
      new TextQualityRun(config, data, stream, supervised, passes, minutes, tfIdfFeatures,
          !skipBaselines)
          .run(System.out);
      return 0;
    }
  }

  @Command(name = "cpc", mixinStandardHelpOptions = true,
      description = {"CPC on ordered sentence streams: train online on five of Jane Austen's"
          + " novels read as interleaved sequences of consecutive sentences; on the sixth"
          + " (Persuasion, held out): next-sentence retrieval recall@1/@10 against TF-IDF and the"
          + " untrained model; then bench text's WordNet tasks for the same encoders. Fetch the"
          + " data with scripts/fetch-janeausten.sh (and scripts/fetch-wordnet.sh)."})
  static final class Cpc implements Callable<Integer> {

    @Option(names = "--janeausten", defaultValue = "data/janeausten",
        description = "Folder with the six novels' text files (default ${DEFAULT-VALUE}).")
    Path janeausten;

    @Option(names = "--sequence-length", defaultValue = "20",
        description = "Consecutive sentences per training sequence (default ${DEFAULT-VALUE}).")
    int sequenceLength;

    @Option(names = "--burst", defaultValue = "4",
        description = "Consecutive sentences a sequence gives in its turn; a micro-batch holds"
            + " batch / burst sequences (default ${DEFAULT-VALUE}).")
    int burst;

    @Option(names = "--passes", defaultValue = "1",
        description = "Passes over the training stream (default ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--minutes", defaultValue = "0",
        description = "Stop training after this many minutes (0 = no limit).")
    double minutes;

    @Option(names = "--queries", defaultValue = "2000",
        description = "Held-out sentences whose next sentence is retrieved; their next"
            + " sentences are the bank (default ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--tfidf-features", defaultValue = "8192",
        description = "Words of the TF-IDF baseline (default ${DEFAULT-VALUE}).")
    int tfIdfFeatures;

    @Option(names = "--wordnet", defaultValue = "data/wordnet",
        description = "Folder with WordNet's data files for the sentence tasks (default"
            + " ${DEFAULT-VALUE}).")
    Path wordnet;

    @Option(names = "--skip-text", description = "Skip bench text's WordNet tasks.")
    boolean skipText;

    @Mixin LearnerOptions learner;

    @Override
    public Integer call() throws Exception {
      if (learner.method != null && learner.method != dev.contraflow.learn.Method.CPC) {
        throw new IllegalArgumentException("bench cpc runs CPC; drop --method " + learner.method);
      }
      learner.method = dev.contraflow.learn.Method.CPC;
      SentenceLearnerConfig probe = learner.toSentenceConfig(1);
      // K, R, dc and S: train's options (--prediction-steps, --context-kernel, ...)
      CpcConfig config = CpcConfig.of(probe);
      CpcBenchmark.Data data = CpcBenchmark.prepare(AustenNovels.load(janeausten),
          new dev.contraflow.io.text.SentenceTokenizer(probe.tokenizer()), sequenceLength,
          Math.max(1, probe.batchSize() / burst), burst, queries, config.contextKernel(),
          probe.seed());
      TextQualityBenchmark.Data text = skipText ? null
          : TextQualityBenchmark.prepare(WordNetGlosses.load(wordnet), 5000, 2000, probe.seed());
      new CpcRun(config, data, passes, minutes, tfIdfFeatures, text).run(System.out);
      return 0;
    }
  }

  /** The sentences {@code bench text} learns from and the task it scores. */
  enum TextSource { WORDNET, AUSTEN }

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
      new ClipRun(config, train, test, passes, minutes).run(System.out);
      return 0;
    }
  }

  @Command(name = "speed", mixinStandardHelpOptions = true,
      description = "Learner.step samples/s and model FLOP/s as a fraction of ND4J matmul FLOP/s.")
  static final class Speed implements Callable<Integer> {

    @Mixin FashionMnistData data;

    @Option(names = "--steps", defaultValue = "20", description = "Measured steps per configuration.")
    int steps;

    @Option(names = "--warmup", defaultValue = "3",
        description = "Unmeasured steps first; at least until MoCo's queue is full, and one more.")
    int warmup;

    @Option(names = "--methods",
        description = "Instead: every image method's train step with the same encoder, in one run,"
            + " as samples/s and as a ratio to MoCo v2's.")
    boolean methods;

    @Option(names = "--peer",
        description = "Also run the PyTorch peer (MoCo v2 on the same encoder shape, B and K: CNN,"
            + " MLP or PATCH_MLP; needs /usr/bin/python3 with torch) in the same run and print"
            + " samples/s against it.")
    boolean peer;

    @Option(names = "--encoders", split = ",",
        description = "Instead: these encoder kinds alone (forward + backward), interleaved with"
            + " ND4J matmul, e.g. CNN,GEMM_CNN,MLP,GEMM_MLP,PATCH_MLP.")
    List<EncoderKind> encoders;

    @Option(names = "--gemm",
        description = "Instead: Nd4j.gemm against the direct OpenBLAS call at the MLP encoder's and"
            + " InfoNCE's GEMM shapes, alternating call by call (--steps 20 x 10 calls each).")
    boolean gemm;

    @Mixin LearnerOptions learner;

    @Override
    public Integer call() throws Exception {
      List<Image> images = data.split("train", 4096).images();
      Image first = images.get(0);
      LearnerConfig config = learner.toConfig(first.channels(), first.height(), first.width(), 1);
      if (gemm) {
        new GemmPaths(System.out).compare(config.encoder(), config.batchSize(),
            config.queueSize(), 10 * steps);
        return 0;
      }
      if (encoders != null) {
        new EncoderSpeed(System.out).compare(encoders.stream().map(config.encoder()::withKind)
            .toList(), learner.imageBatchSize(), steps);
        return 0;
      }
      SpeedBenchmark bench = new SpeedBenchmark(System.out);
      if (methods) {
        bench.compareMethods(config, images, warmup, steps);
      } else {
        SpeedBenchmark.Result train = bench.compareEncoders(config, images, warmup, steps);
        if (peer) {
          bench.comparePeer(train, config);
        }
      }
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
      all.addAll(data.encoderInput.asJobSettings()); // the job's models take what was decoded
      JobConfig job = jobOptions.load(all);
      System.out.printf("bench stream: %d images, %s w%d B%d, checkpoint every %s, batch "
              + "timeout %s%n", images.size(), job.learner().encoder().kind(),
          job.learner().encoder().baseWidth(),
          job.learner().batchSize(), job.job().checkpointInterval(), job.job().batchTimeout());
      new StreamBenchmark(System.out).run(job, images, work, rateFraction,
          Duration.ofSeconds(latencySeconds));
      return 0;
    }
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = {"serve's two rankings of one model version on the same synthetic vectors "
          + "(unit vectors around random centres) and queries: the exact scan and the HNSW "
          + "index, QPS and p50/p99 latency on one thread, the index's build time, and its "
          + "recall@k against the exact top k. The ranking alone, in memory: a served exact "
          + "search also reads and decodes every row from RocksDB."})
  static final class Serve implements Callable<Integer> {

    @Option(names = "--sizes", split = ",", defaultValue = "100000,1000000",
        description = "Vectors per run (default ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--dim", defaultValue = "128", description = "Dimensions (default "
        + "${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--clusters", defaultValue = "1000",
        description = "Centres the vectors scatter around (default ${DEFAULT-VALUE}).")
    int clusters;

    @Option(names = "--queries", defaultValue = "200",
        description = "Measured searches per path and size (default ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--k", defaultValue = "10", description = "Top k (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--m", defaultValue = "" + IndexOptions.DEFAULT_M,
        description = "HNSW neighbours per node (default ${DEFAULT-VALUE}, serve's).")
    int m;

    @Option(names = "--beam-width", defaultValue = "" + IndexOptions.DEFAULT_BEAM_WIDTH,
        description = "HNSW efConstruction (default ${DEFAULT-VALUE}, serve's).")
    int beamWidth;

    @Option(names = "--candidates", defaultValue = "" + IndexOptions.DEFAULT_CANDIDATES,
        description = "HNSW efSearch (default ${DEFAULT-VALUE}, serve's --index-candidates).")
    int candidates;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of vectors and queries.")
    long seed;

    @Override
    public Integer call() {
      IndexOptions index = new IndexOptions(IndexOptions.DEFAULT_THRESHOLD,
          IndexOptions.DEFAULT_MAX_VECTORS, m, beamWidth, candidates);
      SearchBenchmark bench = new SearchBenchmark(dim, clusters, k, queries, index, System.out);
      System.out.printf("bench serve: %d-d vectors around %d centres, %d queries, k=%d, HNSW "
          + "M=%d efConstruction=%d efSearch=%d, one search thread%n", dim, clusters, queries, k,
          m, beamWidth, candidates);
      System.out.println("| vectors | path | QPS | p50 ms | p99 ms | recall@" + k + " | build |");
      System.out.println("|---:|---|---:|---:|---:|---:|---:|");
      for (int size : sizes) {
        SearchBenchmark.Row row = bench.run(size, seed);
        System.out.printf("| %,d | exact | %.1f | %.2f | %.2f | 1 | - |%n", size,
            row.exact().qps(), row.exact().p50Ms(), row.exact().p99Ms());
        System.out.printf("| %,d | hnsw | %.0f | %.3f | %.3f | %.4f | %.0f s (%,.0f vectors/s) |%n",
            size, row.index().qps(), row.index().p50Ms(), row.index().p99Ms(), row.recall(),
            row.buildSeconds(), size / row.buildSeconds());
        System.out.flush();
      }
      return 0;
    }
  }

  /** A training budget of {@code minutes} (null for none: 0 or less). */
  static Duration budget(double minutes) {
    return minutes > 0 ? Duration.ofSeconds(Math.round(minutes * 60)) : null;
  }

  @Command(name = "photos", mixinStandardHelpOptions = true,
      description = {"One training pass and one embedding pass over a folder of photos (by"
          + " default a generated one: sizes up to 8192 x 8192, EXIF rotation, grey, RGB, RGBA,"
          + " 16-bit, truncated and non-image files), then the refusals, the time and the peak"
          + " memory (resident set and heap). Run it with `java -jar` and no flags to see what a"
          + " user's JVM takes."})
  static final class Photos implements Callable<Integer> {

    private static final String CORPUS_MARKER = ".contraflow-photo-corpus";

    @Option(names = "--images",
        description = "A folder of photos (or an IDX file) instead of the generated corpus.")
    Path images;

    @Option(names = "--dir", defaultValue = "target/photo-corpus",
        description = "Where the corpus is generated (default ${DEFAULT-VALUE}); replaced.")
    Path dir;

    @Option(names = "--copies", defaultValue = "10",
        description = "Copies of the corpus's 14 images (default ${DEFAULT-VALUE}: 140 files,"
            + " 20 of them 4096 x 4096 and 10 of 8192 x 8192).")
    int copies;

    @Mixin EncoderInputOptions encoderInput;

    @Mixin LearnerOptions learner;

    @Override
    public Integer call() throws Exception {
      Path folder = images;
      if (folder == null) {
        deleteFolder(dir);
        System.err.printf("bench photos: writing %d copies of the corpus to %s%n", copies, dir);
        PhotoCorpus.write(dir, copies);
        Files.createFile(dir.resolve(CORPUS_MARKER));
        folder = dir;
      }
      EncoderInput input = encoderInput.toInput();
      ImageSource source = ImageSource.open(folder, 0, new ImageDecoder(input));
      LearnerConfig config = learner.toConfig(input.channels(), input.height(), input.width(),
          (source.size() + learner.imageBatchSize() - 1) / learner.imageBatchSize());
      PhotoBenchmark.run(source, config, System.out);
      return 0;
    }

    /** Empties a folder an earlier run wrote (it holds the marker); any other is left alone. */
    private static void deleteFolder(Path folder) throws IOException {
      if (!Files.isDirectory(folder)) {
        return;
      }
      if (!Files.exists(folder.resolve(CORPUS_MARKER))) {
        try (var entries = Files.list(folder)) {
          if (entries.findAny().isPresent()) {
            throw new IllegalArgumentException(folder + " exists and was not written by bench"
                + " photos; give another --dir");
          }
        }
      }
      try (var files = Files.list(folder)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.delete(f);
        }
      }
    }
  }
}
