package dev.contraflow.cli;

import dev.contraflow.contrast.LogitScale;
import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.encoder.TextEncoderConfig;
import dev.contraflow.io.text.TokenizerConfig;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.Method;
import dev.contraflow.learn.PairLearnerConfig;
import dev.contraflow.learn.SentenceLearnerConfig;
import dev.contraflow.learn.replay.ReplayConfig;
import dev.contraflow.learn.replay.ReplayPolicy;
import picocli.CommandLine.Option;

/**
 * The learner's settings as command-line options. Unset options take the defaults of the modality
 * (MoCo v2 for images, ESimCSE for sentences, CLIP for image-text pairs), as each option says.
 */
final class LearnerOptions {

  @Option(names = "--method",
      description = "Self-supervised method: ${COMPLETION-CANDIDATES} (default MOCO for images,"
          + " ESIMCSE for sentences). Images: MOCO, SIMCLR, MOCO_V3, BYOL, SIMSIAM, INSTDISC, SWAV.")
  Method method;

  @Option(names = "--encoder",
      description = "Image backbone: ${COMPLETION-CANDIDATES} (default GEMM_MLP; CNN for the"
          + " image tower of pairs).")
  EncoderKind encoder;

  @Option(names = "--width",
      description = "Images: channels of the first stage, later stages double it (default 64"
          + " for GEMM_MLP: hidden layers 1024 and 512; 32 for the other encoders and the image"
          + " tower of pairs); sentences: embedding and representation width (default 128).")
  Integer width;

  @Option(names = "--text-width", defaultValue = "128",
      description = "Pairs (CLIP): width of the text encoder; --width is the image encoder's"
          + " (default ${DEFAULT-VALUE}).")
  int textWidth;

  @Option(names = "--blocks", defaultValue = "1",
      description = "ResNet basic blocks per stage (default ${DEFAULT-VALUE}).")
  int blocks;

  @Option(names = "--head-hidden", defaultValue = "512",
      description = "Hidden units of the projection head (default ${DEFAULT-VALUE}; images: 0 ="
          + " a linear head, as MoCo v1 and InstDisc).")
  int headHidden;

  @Option(names = "--dim", defaultValue = "128",
      description = "Projection dimension d (default ${DEFAULT-VALUE}).")
  int dim;

  @Option(names = "--batch-size",
      description = "Records per step B (default 256 for images, 64 for sentences, 128 for"
          + " pairs).")
  Integer batchSize;

  @Option(names = "--queue-size",
      description = "Negatives in the queue K (default 4096 for images, 160 for sentences;"
          + " 0 = in-batch negatives only, sentences); INSTDISC: ids in the memory bank"
          + " (default 65536).")
  Integer queueSize;

  @Option(names = "--temperature",
      description = "Temperature T (default: the method's paper, 0.2 for MOCO and MOCO_V3, 0.5"
          + " for SIMCLR, 0.07 for INSTDISC, 0.1 for SWAV, 0.05 for sentences; pairs: the"
          + " initial value of CLIP's learned temperature, default 0.07).")
  Double temperature;

  @Option(names = "--momentum",
      description = "Momentum-encoder EMA m (default 0.99 for images, 0.995 for sentences).")
  Double momentum;

  @Option(names = "--momentum-schedule", defaultValue = "CONSTANT",
      description = "${COMPLETION-CANDIDATES}: COSINE raises m to 1 over the run (default ${DEFAULT-VALUE}).")
  MomentumUpdate.Schedule momentumSchedule;

  @Option(names = "--optimizer",
      description = "${COMPLETION-CANDIDATES} (default SGD for images, ADAM for sentences and"
          + " pairs).")
  OptimizerConfig.Kind optimizer;

  @Option(names = "--lr",
      description = "Learning rate (default 0.03 for images, 0.001 for sentences and pairs).")
  Double learningRate;

  @Option(names = "--weight-decay",
      description = "Weight decay (default 1e-4 for images, 0 for sentences and pairs).")
  Double weightDecay;

  @Option(names = "--crop-scale-min",
      description = "Images: smallest area fraction of the random resized crop (default 0.2;"
          + " pairs: 0.6, 1 = no augmentation).")
  Double cropScaleMin;

  @Option(names = "--dropout", defaultValue = "0.1",
      description = "Sentences: dropout on token embeddings (default ${DEFAULT-VALUE}, SimCSE).")
  double dropout;

  @Option(names = "--duplication-rate", defaultValue = "0.32",
      description = "Sentences: ESimCSE word repetition rate (default ${DEFAULT-VALUE}).")
  double duplicationRate;

  @Option(names = "--word-deletion", defaultValue = "0.5",
      description = "Sentences: both views also drop each word with this probability (default"
          + " ${DEFAULT-VALUE}; 0 = off, as in ESimCSE, which fine-tunes a pre-trained BERT: an"
          + " encoder trained from scratch needs the harder task).")
  double wordDeletion;

  @Option(names = "--buckets", defaultValue = "16384",
      description = "Sentences: hashed word and n-gram ids (default ${DEFAULT-VALUE}).")
  int buckets;

  @Option(names = "--max-tokens", defaultValue = "32",
      description = "Sentences: tokens kept per sentence, the rest is truncated (default ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--cased", description = "Sentences: keep upper case (default: lower-case).")
  boolean cased;

  @Option(names = "--prototypes", defaultValue = "300",
      description = "SWAV: learnable prototypes (default ${DEFAULT-VALUE}; SwAV uses 3000 on"
          + " ImageNet).")
  int prototypes;

  @Option(names = "--local-crops", defaultValue = "4",
      description = "SWAV: small crops per record beside the two global views (default"
          + " ${DEFAULT-VALUE}; 0 = two views only).")
  int localCrops;

  @Option(names = "--bank-negatives", defaultValue = "4096",
      description = "INSTDISC: memory bank entries drawn as negatives per step (default"
          + " ${DEFAULT-VALUE}).")
  int bankNegatives;

  @Option(names = "--bank-momentum", defaultValue = "0.5",
      description = "INSTDISC: m of the memory bank's proximal update (default ${DEFAULT-VALUE};"
          + " 0 = keep only the latest feature).")
  double bankMomentum;

  @Option(names = "--updates-per-batch",
      description = "Gradient steps per incoming micro-batch, every modality (default 8 for"
          + " images, 1 for sentences and pairs).")
  Integer updatesPerBatch;

  @Option(names = "--replay-capacity",
      description = "Records kept in the replay buffer (default 4096 for images, 0 = no buffer"
          + " for sentences and pairs).")
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

  @Option(names = "--seed", defaultValue = "7",
      description = "Seed of initialisation and views (default ${DEFAULT-VALUE}).")
  long seed;

  /** The validated configuration for images of the given shape. */
  LearnerConfig toConfig(int channels, int height, int width, long totalSteps) {
    EncoderKind kind = or(encoder, EncoderConfig.defaults(channels, height, width).kind());
    EncoderConfig e = new EncoderConfig(kind, channels, height, width,
        or(this.width, EncoderConfig.defaultWidth(kind)), blocks, headHidden, dim, seed);
    Method m = or(method, Method.MOCO);
    ReplayConfig replay = replay(ReplayConfig.IMAGES);
    return new LearnerConfig(m, e,
        new OptimizerConfig(or(optimizer, OptimizerConfig.Kind.SGD), or(learningRate, 0.03), 0.9,
            or(weightDecay, 1e-4)),
        or(queueSize, LearnerConfig.defaultQueueSize(m)), or(temperature, m.defaultTemperature()),
        momentum(0.99, totalSteps * replay.updatesPerBatch()), or(cropScaleMin, 0.2),
        imageBatchSize(), seed, new LearnerConfig.Swav(prototypes, localCrops),
        new LearnerConfig.InstDisc(bankNegatives, bankMomentum), replay);
  }

  /** The replay settings of sentences and pairs: unset options take {@link ReplayConfig#NONE}'s. */
  ReplayConfig replay() {
    return replay(ReplayConfig.NONE);
  }

  /** The replay settings, unset options taken from {@code none}. */
  private ReplayConfig replay(ReplayConfig none) {
    int capacity = or(replayCapacity, none.capacity());
    return new ReplayConfig(capacity, or(replayMaxBytes, none.maxBytes()),
        or(replayPolicy, none.policy()), or(updatesPerBatch, none.updatesPerBatch()),
        or(replayFraction, ReplayConfig.defaultReplayFraction(capacity)));
  }

  /** The validated configuration of a CLIP learner for images of the given shape. */
  PairLearnerConfig toPairConfig(int channels, int height, int width) {
    if (method != null) {
      throw new IllegalArgumentException("--method does not apply to --pairs (always CLIP)");
    }
    TokenizerConfig t = tokenizer();
    EncoderConfig image = new EncoderConfig(or(encoder, EncoderKind.CNN), channels, height, width, or(this.width, 32),
        blocks, headHidden, dim, seed);
    TextEncoderConfig text = SentenceLearnerConfig.encoderFor(t, textWidth, dropout, seed + 1)
        .withHead(headHidden, dim);
    return new PairLearnerConfig(image, t, text,
        new OptimizerConfig(or(optimizer, OptimizerConfig.Kind.ADAM), or(learningRate, 1e-3), 0.9,
            or(weightDecay, 0.0)),
        or(temperature, LogitScale.INITIAL_TEMPERATURE), or(cropScaleMin, 0.6), pairBatchSize(),
        seed, replay());
  }

  /** The validated configuration of a sentence learner. */
  SentenceLearnerConfig toSentenceConfig(long totalSteps) {
    TokenizerConfig t = tokenizer();
    TextEncoderConfig e = SentenceLearnerConfig.encoderFor(t, or(width, 128), dropout, seed)
        .withHead(headHidden, dim);
    Method m = or(method, Method.ESIMCSE);
    return new SentenceLearnerConfig(m, t, e,
        new OptimizerConfig(or(optimizer, OptimizerConfig.Kind.ADAM), or(learningRate, 1e-3), 0.9,
            or(weightDecay, 0.0)),
        or(queueSize, SentenceLearnerConfig.defaultQueueSize(m)), or(temperature, 0.05),
        momentum(0.995, totalSteps * replay().updatesPerBatch()), duplicationRate, wordDeletion, sentenceBatchSize(), seed,
        replay());
  }

  private TokenizerConfig tokenizer() {
    TokenizerConfig defaults = TokenizerConfig.defaults();
    return new TokenizerConfig(buckets, defaults.ngramMin(), defaults.ngramMax(),
        defaults.slotsPerToken(), maxTokens, defaults.maxChars(), !cased);
  }

  int pairBatchSize() {
    return or(batchSize, 128);
  }

  int imageBatchSize() {
    return or(batchSize, 256);
  }

  int sentenceBatchSize() {
    return or(batchSize, 64);
  }

  /**
   * The momentum encoder's EMA; a cosine schedule counts gradient steps, {@code gradientSteps}
   * (micro-batches times the modality's updates per micro-batch).
   */
  private MomentumUpdate momentum(double fallback, long gradientSteps) {
    double m = or(momentum, fallback);
    return momentumSchedule == MomentumUpdate.Schedule.COSINE
        ? new MomentumUpdate(m, momentumSchedule, Math.max(1, gradientSteps))
        : MomentumUpdate.constant(m);
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
