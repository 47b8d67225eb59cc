package dev.contraflow.learn;

import dev.contraflow.augment.ViewFamily;
import dev.contraflow.contrast.CmcLoss;
import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.learn.replay.ReplayConfig;
import java.io.Serializable;

/**
 * Everything that defines a learner, validated once. Defaults follow MoCo v2 (Chen et al. 2020)
 * scaled to small images and one pass: K = 4096, T = 0.2, m = 0.99, SGD 0.06 / 0.9 / 1e-4 (twice
 * MoCo's learning rate, {@link OptimizerConfig#onePassDefaults}), batch 256, random resized crop
 * scale 0.2-1. {@link #defaults} gives the other methods their papers' temperatures (SimCLR 0.5,
 * InstDisc and CMC 0.07; see {@link Method}).
 *
 * @param method the self-supervised method (an image method)
 * @param encoder backbone and head shape (methods with a predictor add one as wide as the
 *     projection head's hidden layer)
 * @param optimizer how the online (query) encoder's parameters move
 * @param queueSize K, negatives kept in MoCo's queue; for INSTDISC the memory bank's bound (ids
 *     kept); for SWAV the feature queue the codes are computed with; for CMC the queue of each
 *     view; unused by the other methods;
 *     0 = the method's default ({@link #defaultQueueSize})
 * @param temperature T of InfoNCE / NT-Xent (unused by BYOL and SimSiam); 0 = the method's paper
 *     value ({@link Method#defaultTemperature})
 * @param momentum the momentum encoder's EMA (MoCo, MoCo v3, BYOL, DINO's teacher, CMC)
 * @param cropScaleMin smallest crop area fraction of the random resized crop (MoCo v2: 0.2)
 * @param batchSize B, records per training step
 * @param seed seed of the learner's random stream (views); initialisation uses encoder.seed()
 * @param swav SwAV's prototypes and multi-crop (read by SWAV only)
 * @param instDisc InstDisc's memory bank sampling and momentum (read by INSTDISC only)
 * @param dino DINO's head, multi-crop, centring and sharpening (read by DINO only)
 * @param cmc CMC's views and the pairs of views it contrasts (read by CMC only)
 * @param replay the replay buffer and gradient steps per incoming micro-batch; null or {@link
 *     ReplayConfig#NONE}: one step on the incoming records, no buffer
 */
public record LearnerConfig(
    Method method,
    EncoderConfig encoder,
    OptimizerConfig optimizer,
    int queueSize,
    double temperature,
    MomentumUpdate momentum,
    double cropScaleMin,
    int batchSize,
    long seed,
    Swav swav,
    InstDisc instDisc,
    Dino dino,
    Cmc cmc,
    ReplayConfig replay) implements Serializable {

  /**
   * SwAV's settings beside the shared ones.
   *
   * @param prototypes K learnable prototypes (SwAV: 3000 for ImageNet's 1000 classes; 300 suits
   *     small data)
   * @param localCrops small crops per record beside the two global views (SwAV: 6; 0 = two views
   *     only, no multi-crop)
   */
  public record Swav(int prototypes, int localCrops) implements Serializable {

    /** 300 prototypes, 4 local crops (see {@link SwavStep}). */
    public static final Swav DEFAULTS = new Swav(300, 4);

    public Swav {
      if (prototypes < 2) {
        throw new IllegalArgumentException("SwAV prototypes must be >= 2, got " + prototypes
            + " (SwAV uses 3000 on ImageNet; 300 suits small data)");
      }
      if (localCrops < 0 || localCrops > 16) {
        throw new IllegalArgumentException("SwAV localCrops must be in 0..16, got " + localCrops
            + " (SwAV uses 6; 0 turns multi-crop off)");
      }
    }
  }

  /**
   * InstDisc's settings beside the shared ones.
   *
   * @param negatives memory bank entries drawn as negatives per step (InstDisc: 4096)
   * @param bankMomentum m of the bank's proximal update v <- normalise(m v + (1 - m) f)
   *     (InstDisc: 0.5; 0 keeps only the latest feature)
   */
  public record InstDisc(int negatives, double bankMomentum) implements Serializable {

    /** The paper's 4096 negatives and bank momentum 0.5. */
    public static final InstDisc DEFAULTS = new InstDisc(4096, 0.5);

    public InstDisc {
      if (negatives < 1) {
        throw new IllegalArgumentException("InstDisc negatives must be >= 1, got " + negatives
            + " (InstDisc draws 4096)");
      }
      if (!(bankMomentum >= 0 && bankMomentum < 1)) {
        throw new IllegalArgumentException("InstDisc bankMomentum must be in [0, 1), got "
            + bankMomentum + " (InstDisc uses 0.5; 1 would never change an entry)");
      }
    }
  }

  /**
   * DINO's settings beside the shared ones; the student's temperature tau_s is {@code
   * temperature} (DINO: 0.1) and the teacher's EMA is {@code momentum} (the shared default 0.99;
   * DINO starts at 0.996 and raises it to 1 by a cosine).
   *
   * @param outputDim K, outputs of the DINO head's weight-normalised last layer (DINO: 65536 on
   *     ImageNet; 1024 suits small data)
   * @param localCrops small crops per record beside the two global views, seen by the student
   *     only (DINO: 8 or 10; 0 = two views only)
   * @param teacherTemperature tau_t after the warm-up (DINO: 0.04; up to 0.07)
   * @param warmupTeacherTemperature tau_t at step 0, raised linearly to {@code
   *     teacherTemperature} over {@code warmupSteps} (DINO: 0.04)
   * @param warmupSteps gradient steps of the tau_t warm-up (0: tau_t constant)
   * @param centerMomentum m of the centre's EMA C <- m C + (1 - m) mean(g_t) (DINO: 0.9; 0 keeps
   *     only the batch's mean)
   */
  public record Dino(int outputDim, int localCrops, double teacherTemperature,
      double warmupTeacherTemperature, long warmupSteps, double centerMomentum)
      implements Serializable {

    /** K = 1024, 4 local crops, tau_t 0.04 without warm-up, centre momentum 0.9. */
    public static final Dino DEFAULTS = new Dino(1024, 4, 0.04, 0.04, 0, 0.9);

    public Dino {
      if (outputDim < 2) {
        throw new IllegalArgumentException("DINO outputDim must be >= 2, got " + outputDim
            + " (DINO uses 65536 on ImageNet; 1024 suits small data)");
      }
      if (localCrops < 0 || localCrops > 16) {
        throw new IllegalArgumentException("DINO localCrops must be in 0..16, got " + localCrops
            + " (DINO uses 8; 0 turns multi-crop off)");
      }
      requireTemperature("teacherTemperature", teacherTemperature);
      requireTemperature("warmupTeacherTemperature", warmupTeacherTemperature);
      if (warmupSteps < 0) {
        throw new IllegalArgumentException("DINO warmupSteps must be >= 0, got " + warmupSteps
            + " (0 = no warm-up of the teacher temperature)");
      }
      if (!(centerMomentum >= 0 && centerMomentum < 1)) {
        throw new IllegalArgumentException("DINO centerMomentum must be in [0, 1), got "
            + centerMomentum + " (DINO uses 0.9; 1 would never move the centre from 0)");
      }
    }

    /** tau_t at a step: linear from the warm-up value, then constant (DINO's schedule). */
    public double teacherTemperatureAt(long step) {
      if (step >= warmupSteps) {
        return teacherTemperature;
      }
      return warmupTeacherTemperature
          + (teacherTemperature - warmupTeacherTemperature) * step / warmupSteps;
    }

    private static void requireTemperature(String field, double t) {
      if (!(t > 0 && t <= 1)) {
        throw new IllegalArgumentException("DINO " + field + " must be in (0, 1], got " + t
            + " (DINO uses 0.04, warmed up to at most 0.07)");
      }
    }
  }

  /**
   * CMC's settings beside the shared ones (Tian, Krishnan and Isola 2020; see {@code CmcStep}):
   * the temperature is {@code temperature}, the negatives a queue of {@code queueSize} past keys
   * per view and the key encoder's EMA {@code momentum}, as MoCo's.
   *
   * @param views V, views per record: the first V view families of {@link ViewFamily}
   *     (GEOMETRIC, PHOTOMETRIC, ERASING), so 2 or 3
   * @param graph which pairs of views are contrasted: FULL (every pair, V(V - 1) directed
   *     InfoNCE terms, the paper's full graph) or CORE (the geometric view against each other)
   * @param cropEveryView whether every view takes its own random resized crop and flip before its
   *     family's distortion (true), or only the geometric view is cropped (false, the default)
   */
  public record Cmc(int views, CmcLoss.Graph graph, boolean cropEveryView)
      implements Serializable {

    /**
     * Three views (geometric, photometric, erasing), full graph, only the geometric view cropped:
     * at 24,000 samples on Fashion-MNIST (T 0.2, lr 0.03) this gave 0.8518 / 0.8282 / 0.8602
     * (kNN-20, weighted kNN, linear probe) against 0.8463 / 0.8161 / 0.8586 with a crop for every
     * view (README).
     */
    public static final Cmc DEFAULTS = new Cmc(3, CmcLoss.Graph.FULL, false);

    public Cmc {
      ViewFamily.first(views); // names the range and the families when V is out of it
      if (graph == null) {
        throw new IllegalArgumentException("CMC graph must be FULL or CORE, got null (the"
            + " paper's full graph contrasts every pair of views)");
      }
    }
  }

  /** The shared settings, with SwAV's, InstDisc's and DINO's own at their defaults. */
  public LearnerConfig(Method method, EncoderConfig encoder, OptimizerConfig optimizer,
      int queueSize, double temperature, MomentumUpdate momentum, double cropScaleMin,
      int batchSize, long seed) {
    this(method, encoder, optimizer, queueSize, temperature, momentum, cropScaleMin, batchSize,
        seed, Swav.DEFAULTS, InstDisc.DEFAULTS, Dino.DEFAULTS);
  }

  /** The settings without replay ({@link ReplayConfig#NONE}). */
  public LearnerConfig(Method method, EncoderConfig encoder, OptimizerConfig optimizer,
      int queueSize, double temperature, MomentumUpdate momentum, double cropScaleMin,
      int batchSize, long seed, Swav swav, InstDisc instDisc, Dino dino) {
    this(method, encoder, optimizer, queueSize, temperature, momentum, cropScaleMin, batchSize,
        seed, swav, instDisc, dino, Cmc.DEFAULTS, ReplayConfig.NONE);
  }

  public LearnerConfig {
    if (method == null) {
      throw new IllegalArgumentException("method must be set, e.g. MOCO");
    }
    if (method.forSentences()) {
      throw new IllegalArgumentException("method " + method + " learns from sentences; images use"
          + " MOCO, SIMCLR, MOCO_V3, BYOL, SIMSIAM, INSTDISC, SWAV, DINO or CMC");
    }
    if (encoder == null || optimizer == null || momentum == null || swav == null
        || instDisc == null) {
      throw new IllegalArgumentException("encoder, optimizer, momentum, swav and instDisc must be"
          + " set");
    }
    replay = replay == null ? ReplayConfig.NONE : replay; // model files from before replay
    queueSize = queueSize == 0 ? defaultQueueSize(method) : queueSize;
    temperature = temperature == 0 ? method.defaultTemperature() : temperature;
    dino = dino == null ? Dino.DEFAULTS : dino; // model files from before DINO
    cmc = cmc == null ? Cmc.DEFAULTS : cmc; // model files and job configurations from before CMC
    if (method.hasPredictor() && encoder.projectionHidden() < 1) {
      throw new IllegalArgumentException(method + " needs a projection head with a hidden layer"
          + " (its predictor is as wide), got projectionHidden 0; use e.g. 512");
    }
    if (queueSize < 1) {
      throw new IllegalArgumentException("queueSize must be >= 1, got " + queueSize
          + " (0 = the method's default; MoCo uses 65536, 4096 suits small data)");
    }
    requireTemperature(temperature, "MoCo v2 uses 0.2");
    if (!(cropScaleMin > 0 && cropScaleMin <= 1)) {
      throw new IllegalArgumentException(
          "cropScaleMin must be in (0, 1], got " + cropScaleMin + " (MoCo v2 uses 0.2)");
    }
    if (batchSize < 1 || batchSize > 65536) {
      throw new IllegalArgumentException("batchSize must be in 1..65536, got " + batchSize
          + " (MoCo uses 256)");
    }
  }

  /** The image defaults ({@link #defaults}) with MoCo v2 as the method. */
  public static LearnerConfig mocoV2(int channels, int height, int width) {
    return defaults(Method.MOCO, channels, height, width);
  }

  /**
   * The defaults of an image method: MoCo v2's, with the method's own temperature (see {@link
   * Method#defaultTemperature}). InstDisc's bank holds 65536 ids (all of Fashion-MNIST's 60k).
   * A stream is seen once, so each micro-batch drives {@link ReplayConfig#IMAGES}' updates.
   */
  public static LearnerConfig defaults(Method method, int channels, int height, int width) {
    return new LearnerConfig(method, EncoderConfig.defaults(channels, height, width),
        OptimizerConfig.onePassDefaults(), 0, 0,
        MomentumUpdate.constant(0.99), 0.2, 256, 7L, Swav.DEFAULTS, InstDisc.DEFAULTS,
        Dino.DEFAULTS, Cmc.DEFAULTS, ReplayConfig.IMAGES);
  }

  /** MoCo's K = 4096; InstDisc's bank of 65536 ids; other methods keep no queue. */
  public static int defaultQueueSize(Method method) {
    return method == Method.INSTDISC ? 65536 : 4096;
  }

  public LearnerConfig withMethod(Method m) {
    return new LearnerConfig(m, encoder, optimizer, queueSize, temperature, momentum, cropScaleMin,
        batchSize, seed, swav, instDisc, dino, cmc, replay);
  }

  public LearnerConfig withMomentum(MomentumUpdate m) {
    return new LearnerConfig(method, encoder, optimizer, queueSize, temperature, m, cropScaleMin,
        batchSize, seed, swav, instDisc, dino, cmc, replay);
  }

  public LearnerConfig withTemperature(double t) {
    return new LearnerConfig(method, encoder, optimizer, queueSize, t, momentum, cropScaleMin,
        batchSize, seed, swav, instDisc, dino, cmc, replay);
  }

  public LearnerConfig withEncoder(EncoderConfig e) {
    return new LearnerConfig(method, e, optimizer, queueSize, temperature, momentum, cropScaleMin,
        batchSize, seed, swav, instDisc, dino, cmc, replay);
  }

  public LearnerConfig withSeed(long s) {
    return new LearnerConfig(method, encoder, optimizer, queueSize, temperature, momentum,
        cropScaleMin, batchSize, s, swav, instDisc, dino, cmc, replay);
  }

  public LearnerConfig withSwav(Swav s) {
    return new LearnerConfig(method, encoder, optimizer, queueSize, temperature, momentum,
        cropScaleMin, batchSize, seed, s, instDisc, dino, cmc, replay);
  }

  public LearnerConfig withReplay(ReplayConfig r) {
    return new LearnerConfig(method, encoder, optimizer, queueSize, temperature, momentum,
        cropScaleMin, batchSize, seed, swav, instDisc, dino, cmc, r);
  }

  public LearnerConfig withInstDisc(InstDisc i) {
    return new LearnerConfig(method, encoder, optimizer, queueSize, temperature, momentum,
        cropScaleMin, batchSize, seed, swav, i, dino, cmc, replay);
  }

  public LearnerConfig withDino(Dino d) {
    return new LearnerConfig(method, encoder, optimizer, queueSize, temperature, momentum,
        cropScaleMin, batchSize, seed, swav, instDisc, d, cmc, replay);
  }

  public LearnerConfig withCmc(Cmc c) {
    return new LearnerConfig(method, encoder, optimizer, queueSize, temperature, momentum,
        cropScaleMin, batchSize, seed, swav, instDisc, dino, c, replay);
  }

  /**
   * A softmax temperature of a contrastive loss: the papers use 0.05 to 0.5. Outside
   * [{@value #MIN_TEMPERATURE}, {@value #MAX_TEMPERATURE}] it is a typo - a tiny one overflows the
   * logits (issue 15: non-finite steps), a huge one flattens every softmax so nothing is learned.
   */
  static void requireTemperature(double temperature, String example) {
    if (!(temperature >= MIN_TEMPERATURE && temperature <= MAX_TEMPERATURE)) {
      throw new IllegalArgumentException("temperature must be in [" + MIN_TEMPERATURE + ", "
          + MAX_TEMPERATURE + "], got " + temperature + " (" + example + ")");
    }
  }

  static final double MIN_TEMPERATURE = 1e-3;
  static final double MAX_TEMPERATURE = 10;
}
