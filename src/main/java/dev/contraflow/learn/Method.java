package dev.contraflow.learn;

/**
 * The self-supervised method a learner runs, and the kind of record it learns from.
 *
 * <p>Image methods and their paper defaults (temperature T where the loss has one):
 *
 * <table>
 *   <caption>image methods</caption>
 *   <tr><th>method</th><th>negatives</th><th>target</th><th>predictor</th><th>T</th></tr>
 *   <tr><td>MOCO</td><td>FIFO queue</td><td>EMA</td><td>no</td><td>0.2</td></tr>
 *   <tr><td>SIMCLR</td><td>2N - 2 in-batch views</td><td>none</td><td>no</td><td>0.5</td></tr>
 *   <tr><td>MOCO_V3</td><td>in-batch keys</td><td>EMA</td><td>yes</td><td>0.2</td></tr>
 *   <tr><td>BYOL</td><td>none</td><td>EMA</td><td>yes</td><td>-</td></tr>
 *   <tr><td>SIMSIAM</td><td>none</td><td>stop-gradient</td><td>yes</td><td>-</td></tr>
 *   <tr><td>INSTDISC</td><td>memory bank sample</td><td>memory bank</td><td>no</td>
 *       <td>0.07</td></tr>
 *   <tr><td>SWAV</td><td>none; prototypes</td><td>none</td><td>no</td><td>0.1</td></tr>
 *   <tr><td>DINO</td><td>none; centring + sharpening</td><td>EMA teacher</td><td>no</td>
 *       <td>0.1 (student; teacher 0.04)</td></tr>
 *   <tr><td>CMC</td><td>FIFO queue per view</td><td>EMA</td><td>no</td><td>0.07</td></tr>
 * </table>
 */
public enum Method {
  /** MoCo v2: two views, momentum key encoder, FIFO queue of negatives, InfoNCE. */
  MOCO(false),
  /** SimCSE (Gao et al. 2021): the same sentence under two dropout masks, in-batch negatives. */
  SIMCSE(true),
  /** ESimCSE (Wu et al. 2022): the positive repeats some words; negatives include the queue. */
  ESIMCSE(true),
  /** ConSERT (Yan et al. 2021): token shuffle against feature cutoff. */
  CONSERT(true),
  /**
   * SimCLR (Chen et al. 2020) / InvaSpread (Ye et al. 2019): two views through one encoder,
   * NT-Xent over the 2N views of the batch.
   */
  SIMCLR(false),
  /**
   * MoCo v3 (Chen, Xie and He 2021): symmetric InfoNCE of the online predictions against the
   * momentum encoder's keys of the other view, in-batch negatives, loss scaled by 2T.
   */
  MOCO_V3(false),
  /** BYOL (Grill et al. 2020): online predictor regresses the EMA target's projection (2 - 2cos). */
  BYOL(false),
  /** SimSiam (Chen and He 2021): as BYOL with the online network itself, stop-gradient, no EMA. */
  SIMSIAM(false),
  /**
   * InstDisc (Wu et al. 2018): instance discrimination against a memory bank of one feature per
   * instance id, refreshed by a proximal update.
   */
  INSTDISC(false),
  /**
   * SwAV (Caron et al. 2020): swapped prediction of Sinkhorn-Knopp codes over learnable
   * prototypes, with a feature queue for small batches (two views; no multi-crop).
   */
  SWAV(false),
  /**
   * DINO (Caron et al. 2021): self-distillation with no labels; the student's softmax over every
   * view (two global views and local crops) predicts the EMA teacher's centred, sharpened softmax
   * over the other global view.
   */
  DINO(false),
  /**
   * CPC (van den Oord, Li and Vinyals 2018) on ordered sentence streams: the encodings of a
   * sequence's sentences feed an autoregressive context network whose context predicts the next K
   * sentences' encodings, each step through its own W_k, by InfoNCE against the other sequences'
   * (no views, no temperature; see {@link dev.contraflow.learn.CpcConfig}).
   */
  CPC(true),
  /**
   * CMC (Tian, Krishnan and Isola 2020): V views of each record from distinct view families;
   * InfoNCE over every pair of views (or the core view against the others), a queue of past keys
   * per view, a momentum key encoder.
   */
  CMC(false);

  private final boolean sentences;

  Method(boolean sentences) {
    this.sentences = sentences;
  }

  /** Whether the method learns from sentences (otherwise from images). */
  public boolean forSentences() {
    return sentences;
  }

  /** Image methods: whether a momentum (EMA) copy of the encoder makes the keys / targets. */
  public boolean hasMomentumEncoder() {
    return this == MOCO || this == MOCO_V3 || this == BYOL || this == DINO || this == CMC;
  }

  /** Image methods: whether the online branch ends in a predictor head. */
  public boolean hasPredictor() {
    return this == MOCO_V3 || this == BYOL || this == SIMSIAM;
  }

  /**
   * Image methods: whether the learner state's queue is used (MoCo's negatives, InstDisc's bank,
   * SwAV's feature queue, CMC's queues of every view side by side).
   */
  public boolean usesQueue() {
    return this == MOCO || this == INSTDISC || this == SWAV || this == CMC;
  }

  /**
   * The paper's temperature (SimCLR 0.5, InstDisc 0.07, CMC 0.07, SwAV 0.1, DINO's student 0.1;
   * unused by BYOL and SimSiam). CMC took MoCo's 0.2 until its own paper's 0.07 was measured
   * against it: one pass over Fashion-MNIST learns more at 0.07 (README "CMC's temperature and
   * learning rate").
   */
  public double defaultTemperature() {
    return switch (this) {
      case SIMCLR -> 0.5;
      case INSTDISC, CMC -> 0.07;
      case SWAV, DINO -> 0.1;
      case SIMCSE, ESIMCSE, CONSERT -> 0.05;
      default -> 0.2;
    };
  }
}
