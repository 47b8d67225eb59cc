package dev.contraflow.cli;

import dev.contraflow.contrast.CmcLoss;
import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.encoder.SentencePooling;
import dev.contraflow.encoder.TextEncoderKind;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.Method;
import dev.contraflow.learn.PairLearnerConfig;
import dev.contraflow.learn.SentenceLearnerConfig;
import dev.contraflow.learn.replay.ReplayPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import picocli.CommandLine.Option;

/**
 * The learner's settings as command-line options: overrides of the job YAML's learner sections
 * ({@code default-job.yaml}, the one home of every default), so {@code contraflow train} and
 * {@code contraflow learn} build the same learner. Unset options keep the YAML's value for the
 * modality (CMC for images, ESimCSE for sentences, CLIP for image-text pairs), as each option
 * says; {@code --lr 0.06} is {@code learner.optimizer.learningRate=0.06} for images and
 * {@code sentenceLearner.optimizer.learningRate=0.06} for sentences.
 */
final class LearnerOptions {

  @Option(names = "--method",
      description = "Self-supervised method: ${COMPLETION-CANDIDATES} (default CMC for images,"
          + " SIMCSE for sentences). Images: MOCO, SIMCLR, MOCO_V3, BYOL, SIMSIAM, INSTDISC, SWAV,"
          + " DINO, CMC.")
  Method method;

  @Option(names = "--encoder",
      description = "Image backbone: ${COMPLETION-CANDIDATES} (default GEMM_MLP; CNN for the"
          + " image tower of pairs).")
  EncoderKind encoder;

  @Option(names = "--width",
      description = "Images: channels of the first stage, later stages double it (default 64"
          + " for GEMM_MLP: hidden layers 1024 and 512; 32 for the other encoders and the image"
          + " tower of pairs); sentences: embedding and representation width (default 1024).")
  Integer width;

  @Option(names = "--text-width",
      description = "Pairs (CLIP): width of the text encoder; --width is the image encoder's"
          + " (default 128).")
  Integer textWidth;

  @Option(names = "--blocks",
      description = "ResNet basic blocks per stage; VIT: transformer blocks (default 1).")
  Integer blocks;

  @Option(names = "--head-hidden",
      description = "Hidden units of the projection head (default 512; images: 0 ="
          + " a linear head, as MoCo v1 and InstDisc).")
  Integer headHidden;

  @Option(names = "--dim",
      description = "Projection dimension d (default 128; sentences 1024, = --width for"
          + " HASHED_BAG).")
  Integer dim;

  @Option(names = "--batch-size",
      description = "Records per step B (default 256 for images, 64 for sentences, 128 for"
          + " pairs).")
  Integer batchSize;

  @Option(names = "--queue-size",
      description = "Negatives in the queue K (default 4096 for images, 160 for ESIMCSE;"
          + " 0 = in-batch negatives only, sentences); INSTDISC: ids in the memory bank"
          + " (default 65536).")
  Integer queueSize;

  @Option(names = "--temperature",
      description = "Temperature T (default: the method's paper, 0.07 for CMC and INSTDISC, 0.2"
          + " for MOCO and MOCO_V3, 0.5 for SIMCLR, 0.1 for SWAV and DINO's student, 0.05"
          + " for sentences; pairs: the initial value of CLIP's learned temperature, default"
          + " 0.07).")
  Double temperature;

  @Option(names = "--momentum",
      description = "Momentum-encoder EMA m (default 0.99 for images, 0 for sentences; DINO's"
          + " paper starts its teacher at 0.996).")
  Double momentum;

  @Option(names = "--momentum-schedule",
      description = "${COMPLETION-CANDIDATES}: COSINE raises m to 1 over the run (default"
          + " CONSTANT).")
  MomentumUpdate.Schedule momentumSchedule;

  @Option(names = "--optimizer",
      description = "${COMPLETION-CANDIDATES} (default SGD for images, ADAGRAD for sentences,"
          + " ADAM for pairs).")
  OptimizerConfig.Kind optimizer;

  @Option(names = "--lr",
      description = "Learning rate (default 0.06 for images, 0.01 for sentences, 0.001 for"
          + " pairs).")
  Double learningRate;

  @Option(names = "--weight-decay",
      description = "Weight decay (default 1e-4 for images, 0 for sentences and pairs).")
  Double weightDecay;

  @Option(names = "--crop-scale-min",
      description = "Images: smallest area fraction of the random resized crop (default 0.2;"
          + " pairs: 0.6, 1 = no augmentation).")
  Double cropScaleMin;

  @Option(names = "--dropout",
      description = "Sentences: dropout on token embeddings (default 0.1, SimCSE).")
  Double dropout;

  @Option(names = "--duplication-rate",
      description = "Sentences: ESimCSE word repetition rate (default 0.32).")
  Double duplicationRate;

  @Option(names = "--word-deletion",
      description = "Sentences: both views also drop each word with this probability (default"
          + " 0.5; 0 = off, as in ESimCSE, which fine-tunes a pre-trained BERT: an"
          + " encoder trained from scratch needs the harder task).")
  Double wordDeletion;

  @Option(names = "--sif-a",
      description = "Sentences: SIF pooling, each token weighted a / (a + p), p the share of"
          + " sentences that hold it, counted from the stream (default 0; > 0 without --pooling:"
          + " SIF pooling).")
  Double sifA;

  @Option(names = "--pooling",
      description = "Sentences: how token vectors are weighed: ${COMPLETION-CANDIDATES} (default"
          + " IDF; SIF and IDF count document frequencies from the stream).")
  SentencePooling pooling;

  @Option(names = "--kernel",
      description = "Sentences: tokens the residual convolution sees at once (default 3; 1 ="
          + " no context, a per-token layer at a third of the cost).")
  Integer kernel;

  @Option(names = "--text-encoder",
      description = "Sentences: ${COMPLETION-CANDIDATES} (default HASHED_BAG:"
          + " pooled rows of a wide hashed table, no head, sparse row updates; its"
          + " --dim must equal --width).")
  TextEncoderKind textEncoder;

  @Option(names = "--slots-per-token",
      description = "Sentences: ids per token, the word's and up to this minus 1 of its character"
          + " n-grams' (default 1 = words only; 6 for CONTEXT_CONVOLUTION).")
  Integer slotsPerToken;

  @Option(names = "--buckets",
      description = "Sentences: hashed word and n-gram ids (default 32768).")
  Integer buckets;

  @Option(names = "--max-tokens",
      description = "Sentences: tokens kept per sentence, the rest is truncated (default 32).")
  Integer maxTokens;

  @Option(names = "--cased", description = "Sentences: keep upper case (default: lower-case).")
  boolean cased;

  @Option(names = "--prototypes",
      description = "SWAV: learnable prototypes (default 300; SwAV uses 3000 on"
          + " ImageNet).")
  Integer prototypes;

  @Option(names = "--local-crops",
      description = "SWAV, DINO: small crops per record beside the two global views (default"
          + " 4; 0 = two views only).")
  Integer localCrops;

  @Option(names = "--dino-dim",
      description = "DINO: outputs K of the head's weight-normalised last layer (default"
          + " 1024; DINO uses 65536 on ImageNet).")
  Integer dinoDim;

  @Option(names = "--teacher-temperature",
      description = "DINO: the teacher's temperature after the warm-up (default 0.04;"
          + " DINO raises it up to 0.07).")
  Double teacherTemperature;

  @Option(names = "--warmup-teacher-temperature",
      description = "DINO: the teacher's temperature at step 0, raised linearly over"
          + " --teacher-warmup-steps (default 0.04).")
  Double warmupTeacherTemperature;

  @Option(names = "--teacher-warmup-steps",
      description = "DINO: gradient steps of the teacher temperature's warm-up (default"
          + " 0 = none).")
  Long teacherWarmupSteps;

  @Option(names = "--center-momentum",
      description = "DINO: m of the teacher centre's EMA (default 0.9).")
  Double centerMomentum;

  @Option(names = "--cmc-views",
      description = "CMC: views per record, the first V of the families GEOMETRIC, PHOTOMETRIC,"
          + " ERASING (default 3).")
  Integer cmcViews;

  @Option(names = "--cmc-graph",
      description = "CMC: pairs of views contrasted: ${COMPLETION-CANDIDATES} (default FULL:"
          + " every pair; CORE: the geometric view against each other view).")
  CmcLoss.Graph cmcGraph;

  @Option(names = "--cmc-crop-every-view", arity = "1",
      description = "CMC: whether every view takes its own random crop and flip before its"
          + " family's distortion (default false: only the geometric view is cropped).")
  Boolean cmcCropEveryView;

  @Option(names = "--bank-negatives",
      description = "INSTDISC: memory bank entries drawn as negatives per step (default"
          + " 4096).")
  Integer bankNegatives;

  @Option(names = "--bank-momentum",
      description = "INSTDISC: m of the memory bank's proximal update (default 0.5;"
          + " 0 = keep only the latest feature).")
  Double bankMomentum;

  @Option(names = "--prediction-steps",
      description = "CPC: future sentences K each context predicts (default 3; the paper"
          + " predicts up to 12).")
  Integer predictionSteps;

  @Option(names = "--context-kernel",
      description = "CPC: sentences R the causal-convolution context reads (default 3).")
  Integer contextKernel;

  @Option(names = "--context-dim",
      description = "CPC: the context's dimension dc (default 0 = the projection dimension).")
  Integer contextDim;

  @Option(names = "--window-sequences",
      description = "CPC: documents whose recent sentences the learner keeps at once (default"
          + " 256; the oldest gives way).")
  Integer windowSequences;

  @Option(names = "--cpc-queue-size",
      description = "CPC: past encodings kept as extra negatives of every prediction step (default"
          + " 0; 0 = in-batch negatives only).")
  Integer cpcQueueSize;

  @Option(names = "--updates-per-batch",
      description = "Gradient steps per incoming micro-batch (default 8 for images, 1 for sentences"
          + " and pairs).")
  Integer updatesPerBatch;

  @Option(names = "--replay-capacity",
      description = "Records kept in the replay buffer (default 4096 for images, 0 = no buffer for"
          + " sentences and pairs).")
  Integer replayCapacity;

  @Option(names = "--replay-max-bytes",
      description = "Bytes the replay buffer may take (default 64 MiB; images are kept at the"
          + " encoder's input size).")
  Long replayMaxBytes;

  @Option(names = "--replay-policy",
      description = "Which records a full replay buffer keeps: ${COMPLETION-CANDIDATES}"
          + " (default RESERVOIR for images, FIFO for sentences and pairs).")
  ReplayPolicy replayPolicy;

  @Option(names = "--replay-fraction",
      description = "Share of each step's batch replayed from the buffer (default 0.5 with a"
          + " buffer, 0 without).")
  Double replayFraction;

  @Option(names = "--seed", description = "Seed of initialisation and views (default 7).")
  Long seed;

  /** The job's defaults, read once: what every unset option falls back to. */
  private static final JobConfig DEFAULTS = JobConfigLoader.defaults(List.of());

  /**
   * The validated configuration for images of the given shape: the job YAML's {@code learner}
   * section with these options laid over it.
   */
  LearnerConfig toConfig(int channels, int height, int width, long totalSteps) {
    Settings s = new Settings("learner");
    s.put("method", method);
    imageEncoder(s, "encoder", channels, height, width);
    s.put("encoder.seed", seed);
    common(s);
    s.put("temperature", temperature);
    s.put("queueSize", queueSize);
    s.put("momentum.momentum", momentum);
    s.put("cropScaleMin", cropScaleMin);
    s.put("swav.prototypes", prototypes);
    s.put("swav.localCrops", localCrops);
    s.put("dino.localCrops", localCrops);
    s.put("dino.outputDim", dinoDim);
    s.put("dino.teacherTemperature", teacherTemperature);
    s.put("dino.warmupTeacherTemperature", warmupTeacherTemperature);
    s.put("dino.warmupSteps", teacherWarmupSteps);
    s.put("dino.centerMomentum", centerMomentum);
    s.put("instDisc.negatives", bankNegatives);
    s.put("instDisc.bankMomentum", bankMomentum);
    s.put("cmc.views", cmcViews);
    s.put("cmc.graph", cmcGraph);
    s.put("cmc.cropEveryView", cmcCropEveryView);
    return withSchedule(s, totalSteps, JobConfig::learner, c -> c.replay().updatesPerBatch());
  }

  /** The validated configuration of a CLIP learner for images of the given shape. */
  PairLearnerConfig toPairConfig(int channels, int height, int width) {
    if (method != null) {
      throw new IllegalArgumentException("--method does not apply to --pairs (always CLIP)");
    }
    Settings s = new Settings("pairLearner");
    imageEncoder(s, "image", channels, height, width);
    s.put("image.seed", seed);
    s.put("text.seed", seed == null ? null : seed + 1);
    s.put("text.width", textWidth);
    s.put("text.dropout", dropout);
    s.put("text.projectionHidden", headHidden);
    s.put("text.projectionDim", dim);
    tokenizer(s);
    common(s);
    s.put("initialTemperature", temperature);
    s.put("cropScaleMin", cropScaleMin);
    return JobConfigLoader.defaults(s.list).pairLearner();
  }

  /** The validated configuration of a sentence learner. */
  SentenceLearnerConfig toSentenceConfig(long totalSteps) {
    Settings s = new Settings("sentenceLearner");
    s.put("method", method);
    s.put("encoder.width", width);
    s.put("encoder.kernel", kernel);
    s.put("encoder.kind", textEncoder);
    s.put("encoder.dropout", dropout);
    s.put("encoder.projectionHidden", headHidden);
    s.put("encoder.projectionDim", dim);
    s.put("encoder.seed", seed);
    tokenizer(s);
    common(s);
    s.put("temperature", temperature);
    s.put("queueSize", queueSize);
    s.put("momentum.momentum", momentum);
    s.put("duplicationRate", duplicationRate);
    s.put("deletionRate", wordDeletion);
    s.put("sifA", sifA);
    // --sif-a alone asks for SIF pooling, as it did before the pooling setting
    s.put("pooling", pooling == null && sifA != null && sifA > 0 ? SentencePooling.SIF : pooling);
    s.put("cpc.predictionSteps", predictionSteps);
    s.put("cpc.contextKernel", contextKernel);
    s.put("cpc.contextDim", contextDim);
    s.put("cpc.windowSequences", windowSequences);
    s.put("cpc.queueSize", cpcQueueSize);
    return withSchedule(s, totalSteps, JobConfig::sentenceLearner,
        c -> c.replay().updatesPerBatch());
  }

  private void imageEncoder(Settings s, String block, int channels, int height, int width) {
    s.put(block + ".kind", encoder);
    s.put(block + ".channels", channels);
    s.put(block + ".height", height);
    s.put(block + ".width", width);
    s.put(block + ".baseWidth", this.width);
    s.put(block + ".blocksPerStage", blocks);
    s.put(block + ".projectionHidden", headHidden);
    s.put(block + ".projectionDim", dim);
  }

  private void tokenizer(Settings s) {
    s.put("tokenizer.buckets", buckets);
    s.put("tokenizer.maxTokens", maxTokens);
    s.put("tokenizer.slotsPerToken", slotsPerToken);
    s.put("tokenizer.lowerCase", cased ? false : null);
  }

  /** The settings every learner has: batch, optimiser, seed, replay. */
  private void common(Settings s) {
    s.put("batchSize", batchSize);
    s.put("optimizer.kind", optimizer);
    s.put("optimizer.learningRate", learningRate);
    s.put("optimizer.weightDecay", weightDecay);
    s.put("seed", seed);
    s.put("replay.capacity", replayCapacity);
    s.put("replay.maxBytes", replayMaxBytes);
    s.put("replay.policy", replayPolicy);
    s.put("replay.updatesPerBatch", updatesPerBatch);
    s.put("replay.replayFraction", replayFraction);
  }

  /**
   * Binds the settings with the momentum schedule; a cosine schedule runs over the whole command:
   * {@code totalSteps} micro-batches of the configured updates each, which only the bound settings
   * tell.
   */
  private <C> C withSchedule(Settings s, long totalSteps, Function<JobConfig, C> learner,
      ToIntFunction<C> updatesPerBatch) {
    if (momentumSchedule != MomentumUpdate.Schedule.COSINE) {
      s.put("momentum.schedule", momentumSchedule);
      return learner.apply(JobConfigLoader.defaults(s.list));
    }
    C constant = learner.apply(JobConfigLoader.defaults(s.list));
    s.put("momentum.schedule", momentumSchedule);
    s.put("momentum.totalSteps", Math.max(1, totalSteps * updatesPerBatch.applyAsInt(constant)));
    return learner.apply(JobConfigLoader.defaults(s.list));
  }

  int pairBatchSize() {
    return or(batchSize, DEFAULTS.pairLearner().batchSize());
  }

  int imageBatchSize() {
    return or(batchSize, DEFAULTS.learner().batchSize());
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }

  /** {@code section.key=value} overrides of the job YAML, one per option given. */
  private static final class Settings {
    final String section;
    final List<String> list = new ArrayList<>();

    Settings(String section) {
      this.section = section;
    }

    void put(String key, Object value) {
      if (value != null) {
        list.add(section + "." + key + "=" + value);
      }
    }
  }
}
