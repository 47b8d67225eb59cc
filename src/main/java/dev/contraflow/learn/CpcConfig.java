package dev.contraflow.learn;

import dev.contraflow.learn.replay.ReplayConfig;
import java.io.Serializable;

/**
 * A CPC learner on ordered sentence streams (van den Oord, Li and Vinyals 2018), validated once:
 * the sentence learner's tokenizer, encoder g_enc, optimiser, batch size and seed, plus CPC's own
 * settings. The paper predicts up to 12 steps of audio with a GRU of 256; sentences carry far more
 * per step, so a few steps and a short causal convolution are the defaults here.
 *
 * @param sentences the sentence learner's settings; its method must be {@link Method#CPC} (its
 *     temperature and view settings are unused: CPC's score is the raw bilinear z^T W_k c; its
 *     queueSize too, ESimCSE's: CPC's queue is {@code queueSize} here; its momentum moves the key
 *     encoder of the futures when there is a queue)
 * @param predictionSteps K, future sentences each context predicts, one W_k each (default 3)
 * @param contextKernel R, sentences the causal-convolution context network g_ar reads (default 3)
 * @param contextDim dc, the context's dimension (0, the default: the encoder's projection
 *     dimension)
 * @param windowSequences S, sequences whose recent sentences the learner keeps at once (the
 *     documents a stream interleaves; the oldest arrival gives way); each keeps R + K - 1
 *     sentences ({@link #windowLength})
 * @param queueSize Q, past encodings z (the futures of earlier updates, with their sequence) kept
 *     in the learner state as extra negatives of every W_k, beside the batch's other sequences:
 *     the paper's negatives come from the other sequences, and a micro-batch holds few of them.
 *     With a queue every future is a momentum encoder's key, as in MoCo (a queue of the online
 *     encoder's z collapsed the predictions in bench cpc: the age of an encoding told the future
 *     from the queue). 0, the default: in-batch negatives only, the paper's CPC
 */
public record CpcConfig(SentenceLearnerConfig sentences, int predictionSteps, int contextKernel,
    int contextDim, int windowSequences, int queueSize) implements Serializable {

  public static final int DEFAULT_PREDICTION_STEPS =
      SentenceLearnerConfig.Cpc.DEFAULTS.predictionSteps();
  public static final int DEFAULT_CONTEXT_KERNEL =
      SentenceLearnerConfig.Cpc.DEFAULTS.contextKernel();
  public static final int DEFAULT_WINDOW_SEQUENCES =
      SentenceLearnerConfig.Cpc.DEFAULTS.windowSequences();
  public static final int DEFAULT_QUEUE_SIZE = SentenceLearnerConfig.Cpc.DEFAULTS.queueSize();

  public CpcConfig {
    if (sentences == null || sentences.method() != Method.CPC) {
      throw new IllegalArgumentException("a CPC learner needs sentence settings with method CPC, got "
          + (sentences == null ? null : sentences.method()));
    }
    if (sentences.replay().enabled()) {
      throw new IllegalArgumentException("CPC takes no replay (replay.updatesPerBatch 1, capacity"
          + " 0): a replayed sentence would re-enter its sequence's window out of order");
    }
    if (sentences.sifA() > 0) {
      throw new IllegalArgumentException("CPC pools with the mean (sifA 0), got sifA "
          + sentences.sifA());
    }
    contextDim = contextDim == 0 ? sentences.encoder().projectionDim() : contextDim;
    // checks the ranges, and carries them in the sentence settings, which the model file writes:
    // a reloaded model runs the same K, R, dc, S and Q (dc stays 0 when it is the default's)
    sentences = sentences.withCpc(new SentenceLearnerConfig.Cpc(predictionSteps, contextKernel,
        contextDim == sentences.encoder().projectionDim() ? 0 : contextDim, windowSequences,
        queueSize));
  }

  /** CPC on these sentence settings, with the CPC settings they carry ({@code cpc}). */
  public static CpcConfig of(SentenceLearnerConfig sentences) {
    SentenceLearnerConfig.Cpc c = sentences.cpc();
    return new CpcConfig(sentences, c.predictionSteps(), c.contextKernel(), c.contextDim(),
        c.windowSequences(), c.queueSize());
  }

  /**
   * W, sentences kept per sequence: the oldest context of the next sentence, c_{t+1-K}, reads
   * R sentences back from t + 1 - K, so R + K - 1 old sentences feed every prediction of it.
   */
  public int windowLength() {
    return contextKernel + predictionSteps - 1;
  }

  public CpcConfig withPredictionSteps(int k) {
    return new CpcConfig(sentences, k, contextKernel, contextDim, windowSequences, queueSize);
  }
}
