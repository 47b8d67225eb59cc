package dev.contraflow.learn;

import dev.contraflow.augment.TextViews;
import dev.contraflow.augment.WordDeletion;
import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.encoder.SentencePooling;
import dev.contraflow.encoder.TextEncoderConfig;
import dev.contraflow.io.text.TokenizerConfig;
import dev.contraflow.learn.replay.ReplayConfig;
import java.io.Serializable;

/**
 * Everything that defines a sentence learner, validated once. Defaults follow ESimCSE (Wu et al.
 * 2022): T = 0.05, duplication rate 0.32, momentum 0.995, a queue of 2.5 batches; an encoder
 * trained from scratch wants a larger step than SimCSE's BERT fine-tuning (Adam 1e-3, not 3e-5).
 *
 * @param method which views are contrasted
 * @param tokenizer text to ids
 * @param encoder the text encoder; its vocabulary, token slots and length match the tokenizer's
 *     (0 in any of them: taken from the tokenizer)
 * @param optimizer how the encoder's parameters move
 * @param queueSize K, momentum-encoder keys kept as extra negatives; 0 = in-batch negatives only
 *     (SimCSE, ConSERT); -1 = the method's default ({@link #defaultQueueSize})
 * @param temperature T of the loss
 * @param momentum the momentum encoder's EMA (it fills the queue and makes the embeddings)
 * @param duplicationRate ESimCSE's word repetition rate
 * @param deletionRate if > 0, both views also lose each word with this probability: a harder task
 *     for an encoder trained from scratch, whose random embeddings already tell any two different
 *     sentences apart, so that dropout alone leaves almost nothing to learn (SimCSE starts from a
 *     pre-trained BERT); two views that share only some words must map co-occurring words close
 * @param batchSize B, records per training step
 * @param seed seed of the learner's random stream (views, dropout masks)
 * @param replay the replay buffer and gradient steps per incoming micro-batch; null or {@link
 *     ReplayConfig#NONE}: one step on the incoming records, no buffer
 * @param sifA 0: mean pooling over the tokens; > 0: SIF pooling (Arora et al. 2017), each token
 *     weighted a / (a + p) with p the share of sentences that hold it, counted from the stream
 *     itself in a bounded sketch kept in the learner state ({@link
 *     dev.contraflow.encoder.DocumentFrequencySketch}): common words count little, rare ones
 *     almost fully, as IDF weighs them; a word held by a share a of the sentences
 *     weighs 1/2. Used when {@code pooling} is SIF.
 * @param pooling how token vectors are weighed into the representation ({@link SentencePooling});
 *     null: SIF if {@code sifA} > 0, else MEAN (the settings and model files from before IDF)
 * @param cpc CPC's own settings (read by CPC only, {@link CpcConfig#of}); null: {@link
 *     Cpc#DEFAULTS} (the settings and model files from before they were settings)
 */
public record SentenceLearnerConfig(
    Method method,
    TokenizerConfig tokenizer,
    TextEncoderConfig encoder,
    OptimizerConfig optimizer,
    int queueSize,
    double temperature,
    MomentumUpdate momentum,
    double duplicationRate,
    double deletionRate,
    int batchSize,
    long seed,
    ReplayConfig replay,
    double sifA,
    SentencePooling pooling,
    Cpc cpc) implements Serializable {

  /**
   * CPC's settings beside the shared ones; the settings and model files carry them so that a
   * reloaded CPC model runs the same K, R and windows ({@link CpcConfig} checks them against the
   * rest).
   *
   * @param predictionSteps K, future sentences each context predicts, one W_k each
   * @param contextKernel R, sentences the causal-convolution context network g_ar reads
   * @param contextDim dc, the context's dimension; 0 = the encoder's projection dimension
   * @param windowSequences S, sequences whose recent sentences the learner keeps at once
   * @param queueSize Q, past encodings z kept as extra negatives of every W_k; 0 = in-batch
   *     negatives only (a model file from before the queue reads as 0: it trained without one)
   */
  public record Cpc(int predictionSteps, int contextKernel, int contextDim, int windowSequences,
      int queueSize) implements Serializable {

    /** K = 3, R = 3, dc = the projection dimension, S = 256, Q = 0 (see {@link CpcConfig}). */
    public static final Cpc DEFAULTS = new Cpc(3, 3, 0, 256, 0);

    public Cpc {
      require("predictionSteps", predictionSteps, 1, 16, "the paper predicts up to 12; use 3");
      require("contextKernel", contextKernel, 1, 16, "3: a sentence and the two before it");
      if (contextDim != 0) {
        require("contextDim", contextDim, 2, 4096,
            "use the encoder's projection dimension, or 0 for it");
      }
      require("windowSequences", windowSequences, 1, 65536,
          "at least the sequences a micro-batch interleaves; 256 by default");
      require("queueSize", queueSize, 0, 65536, "0 = in-batch negatives only, the default;"
          + " a queue's futures are momentum-encoder keys");
    }

    private static void require(String field, int value, int min, int max, String remedy) {
      if (value < min || value > max) {
        throw new IllegalArgumentException("cpc." + field + " must be in " + min + ".." + max
            + ", got " + value + " (" + remedy + ")");
      }
    }
  }

  /** The settings with CPC's defaults ({@link Cpc#DEFAULTS}), as before CPC's settings. */
  public SentenceLearnerConfig(Method method, TokenizerConfig tokenizer,
      TextEncoderConfig encoder, OptimizerConfig optimizer, int queueSize, double temperature,
      MomentumUpdate momentum, double duplicationRate, double deletionRate, int batchSize,
      long seed, ReplayConfig replay, double sifA, SentencePooling pooling) {
    this(method, tokenizer, encoder, optimizer, queueSize, temperature, momentum, duplicationRate,
        deletionRate, batchSize, seed, replay, sifA, pooling, null);
  }

  /** The settings without replay ({@link ReplayConfig#NONE}). */
  public SentenceLearnerConfig(Method method, TokenizerConfig tokenizer,
      TextEncoderConfig encoder, OptimizerConfig optimizer, int queueSize, double temperature,
      MomentumUpdate momentum, double duplicationRate, double deletionRate, int batchSize,
      long seed) {
    this(method, tokenizer, encoder, optimizer, queueSize, temperature, momentum, duplicationRate,
        deletionRate, batchSize, seed, ReplayConfig.NONE, 0, SentencePooling.MEAN);
  }

  /** The settings with mean pooling ({@code sifA} 0), as every model before SIF pooling. */
  public SentenceLearnerConfig(Method method, TokenizerConfig tokenizer,
      TextEncoderConfig encoder, OptimizerConfig optimizer, int queueSize, double temperature,
      MomentumUpdate momentum, double duplicationRate, double deletionRate, int batchSize,
      long seed, ReplayConfig replay) {
    this(method, tokenizer, encoder, optimizer, queueSize, temperature, momentum, duplicationRate,
        deletionRate, batchSize, seed, replay, 0, SentencePooling.MEAN);
  }

  /** The settings with SIF pooling if {@code sifA} > 0, else mean pooling, as before IDF. */
  public SentenceLearnerConfig(Method method, TokenizerConfig tokenizer,
      TextEncoderConfig encoder, OptimizerConfig optimizer, int queueSize, double temperature,
      MomentumUpdate momentum, double duplicationRate, double deletionRate, int batchSize,
      long seed, ReplayConfig replay, double sifA) {
    this(method, tokenizer, encoder, optimizer, queueSize, temperature, momentum, duplicationRate,
        deletionRate, batchSize, seed, replay, sifA, null);
  }

  public SentenceLearnerConfig {
    if (method == null || tokenizer == null || encoder == null || optimizer == null
        || momentum == null) {
      throw new IllegalArgumentException(
          "method, tokenizer, encoder, optimizer and momentum must be set");
    }
    replay = replay == null ? ReplayConfig.NONE : replay; // model files from before replay
    cpc = cpc == null ? Cpc.DEFAULTS : cpc; // settings and model files from before CPC's settings
    if (pooling == null) { // settings and model files from before IDF pooling
      pooling = sifA > 0 ? SentencePooling.SIF : SentencePooling.MEAN;
    }
    encoder = encoder.fittedTo(tokenizer.buckets(), tokenizer.maxTokens(),
        tokenizer.slotsPerToken());
    if (!method.forSentences()) {
      throw new IllegalArgumentException("method " + method + " learns from images; sentences use "
          + "SIMCSE, ESIMCSE or CONSERT");
    }
    if (encoder.vocabularySize() != tokenizer.buckets()
        || encoder.slotsPerToken() != tokenizer.slotsPerToken()
        || encoder.maxTokens() != tokenizer.maxTokens()) {
      throw new IllegalArgumentException("the text encoder (vocabulary " + encoder.vocabularySize()
          + ", " + encoder.slotsPerToken() + " ids per token, " + encoder.maxTokens()
          + " tokens) must match the tokenizer (" + tokenizer.buckets() + ", "
          + tokenizer.slotsPerToken() + ", " + tokenizer.maxTokens() + "): build it with"
          + " SentenceLearnerConfig.encoderFor");
    }
    queueSize = queueSize == -1 ? defaultQueueSize(method) : queueSize;
    if (queueSize < 0) {
      throw new IllegalArgumentException("queueSize must be >= 0 (0 = in-batch negatives only,"
          + " -1 = the method's default), got " + queueSize
          + " (ESimCSE uses 2.5 x the batch size)");
    }
    LearnerConfig.requireTemperature(temperature, "SimCSE uses 0.05");
    if (!(duplicationRate >= 0 && duplicationRate <= 1)) {
      throw new IllegalArgumentException("duplicationRate must be in [0, 1], got "
          + duplicationRate + " (ESimCSE uses 0.32)");
    }
    if (!(deletionRate >= 0 && deletionRate < 1)) {
      throw new IllegalArgumentException("deletionRate must be in [0, 1), got " + deletionRate
          + " (0 = off)");
    }
    if (!(sifA >= 0 && sifA < 1)) {
      throw new IllegalArgumentException("sifA must be in [0, 1), got " + sifA
          + " (0 = off; SIF weighs by a / (a + p), 0.001 is a common a)");
    }
    if (pooling == SentencePooling.SIF && sifA == 0) {
      throw new IllegalArgumentException("pooling SIF needs sifA > 0, got 0 (0.001 is a common a;"
          + " or pooling IDF or MEAN)");
    }
    // a configuration that sets SIF's a but another pooling would silently ignore it
    if (pooling != SentencePooling.SIF && sifA > 0) {
      throw new IllegalArgumentException("sifA = " + sifA + " is SIF's a, but pooling is "
          + pooling + ": set pooling SIF, or sifA 0");
    }
    if (batchSize < 2 || batchSize > 65536) {
      throw new IllegalArgumentException("batchSize must be in 2..65536, got " + batchSize
          + " (in-batch negatives need a second record; ESimCSE uses 64)");
    }
  }

  /**
   * The method's K: ESimCSE's momentum queue holds 2.5 batches of its B = 64 (160 keys); SimCSE
   * and ConSERT use in-batch negatives only (0). The one home of this default: the job
   * configuration and the command line both read it.
   */
  public static int defaultQueueSize(Method method) {
    return method == Method.ESIMCSE ? 160 : 0;
  }

  /** A text encoder that fits a tokenizer: kernel 3, head 512 -> 128. */
  public static TextEncoderConfig encoderFor(TokenizerConfig t, int width, double dropout,
      long seed) {
    return new TextEncoderConfig(t.buckets(), t.maxTokens(), t.slotsPerToken(), width, 3, dropout,
        512, 128, seed);
  }

  /** The pair of views this method contrasts. */
  public TextViews views() {
    TextViews views = methodViews();
    if (deletionRate == 0) {
      return views;
    }
    WordDeletion deletion = new WordDeletion(deletionRate);
    return new TextViews(views.first().andThen(deletion), views.second().andThen(deletion));
  }

  private TextViews methodViews() {
    return switch (method) {
      case SIMCSE -> TextViews.simcse();
      case ESIMCSE -> TextViews.esimcse(duplicationRate);
      case CONSERT -> TextViews.consert(encoder.width());
      case CPC -> throw new IllegalStateException("CPC contrasts a sequence's future against"
          + " other sequences', not two views of a sentence");
      case MOCO, SIMCLR, MOCO_V3, BYOL, SIMSIAM, INSTDISC, SWAV, DINO, CMC ->
          throw new IllegalStateException(method + " is not a sentence method");
    };
  }

  public SentenceLearnerConfig withMethod(Method m, int k) {
    return new SentenceLearnerConfig(m, tokenizer, encoder, optimizer, k, temperature, momentum,
        duplicationRate, deletionRate, batchSize, seed, replay, sifA, pooling, cpc);
  }

  public SentenceLearnerConfig withBatchSize(int b) {
    return new SentenceLearnerConfig(method, tokenizer, encoder, optimizer, queueSize, temperature,
        momentum, duplicationRate, deletionRate, b, seed, replay, sifA, pooling, cpc);
  }

  /** SIF pooling with this a (0: mean pooling). */
  public SentenceLearnerConfig withSifA(double a) {
    return new SentenceLearnerConfig(method, tokenizer, encoder, optimizer, queueSize, temperature,
        momentum, duplicationRate, deletionRate, batchSize, seed, replay, a,
        a > 0 ? SentencePooling.SIF : SentencePooling.MEAN, cpc);
  }

  public SentenceLearnerConfig withPooling(SentencePooling p) {
    return new SentenceLearnerConfig(method, tokenizer, encoder, optimizer, queueSize, temperature,
        momentum, duplicationRate, deletionRate, batchSize, seed, replay, sifA, p, cpc);
  }

  public SentenceLearnerConfig withReplay(ReplayConfig r) {
    return new SentenceLearnerConfig(method, tokenizer, encoder, optimizer, queueSize, temperature,
        momentum, duplicationRate, deletionRate, batchSize, seed, r, sifA, pooling, cpc);
  }

  /** CPC's settings (read by CPC only). */
  public SentenceLearnerConfig withCpc(Cpc c) {
    return new SentenceLearnerConfig(method, tokenizer, encoder, optimizer, queueSize, temperature,
        momentum, duplicationRate, deletionRate, batchSize, seed, replay, sifA, pooling, c);
  }
}
