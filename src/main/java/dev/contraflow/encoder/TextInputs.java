package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Packs sentences into the text encoder's four inputs ({@link TextEncoderGraphs}). Sentences
 * longer than maxTokens are truncated; shorter ones are padded with id 0 to the longest of the
 * batch, and the masks remove the padding.
 */
public final class TextInputs {

  private TextInputs() {}

  /**
   * @param tokens per sentence, tokens x slotsPerToken ids
   * @param cutTokens per sentence and token, whether its embedding is zeroed
   * @param cutFeatures per sentence, the embedding dimensions zeroed (empty array: none)
   * @return ids B x (T*S), keep B x d x T, tokenMask B x d x T, inverseLength B x d, where T is
   *     the longest sentence's length (at most maxTokens)
   */
  public static INDArray[] pack(TextEncoderConfig c, int[][][] tokens, boolean[][] cutTokens,
      boolean[][] cutFeatures) {
    return pack(c, tokens, cutTokens, cutFeatures, null);
  }

  /**
   * As {@link #pack(TextEncoderConfig, int[][][], boolean[][], boolean[][])}, pooling with a
   * weight per token (SIF): tokenMask holds w_t instead of 1 and inverseLength 1 / sum(w_t), so
   * the representation is sum(w_t h_t) / sum(w_t) over the real tokens.
   *
   * @param weights per sentence and token, w_t > 0; null: 1 for every token (mean pooling)
   */
  public static INDArray[] pack(TextEncoderConfig c, int[][][] tokens, boolean[][] cutTokens,
      boolean[][] cutFeatures, float[][] weights) {
    int b = tokens.length;
    // pad to the longest sentence of the batch, not to maxTokens: the graph takes any length,
    // and short sentences (most) then cost only their own length
    int t = 1;
    for (int[][] sentence : tokens) {
      t = Math.max(t, Math.min(c.maxTokens(), sentence.length));
    }
    int s = c.slotsPerToken();
    int d = c.width();
    float[] ids = new float[b * t * s];
    float[] keep = new float[b * d * t];
    float[] tokenMask = new float[b * d * t];
    float[] inverseLength = new float[b * d];
    for (int i = 0; i < b; i++) {
      int n = Math.min(t, tokens[i].length);
      for (int k = 0; k < n; k++) {
        int[] slots = tokens[i][k];
        if (slots.length != s) {
          throw new IllegalArgumentException("sentence " + i + " token " + k + " has "
              + slots.length + " ids, the encoder takes " + s + " per token");
        }
        for (int j = 0; j < s; j++) {
          ids[(i * t + k) * s + j] = checkedId(c, slots[j]);
        }
      }
      float[] w = new float[n];
      float total = 0;
      for (int k = 0; k < n; k++) {
        w[k] = weights == null ? 1f : checkedWeight(weights[i][k], i, k);
        total += w[k];
      }
      boolean[] features = cutFeatures[i];
      for (int f = 0; f < d; f++) {
        float featureKept = features.length > 0 && features[f] ? 0f : 1f;
        int row = (i * d + f) * t; // keep: B x d x T, c order
        for (int k = 0; k < n; k++) {
          keep[row + k] = cutTokens[i][k] ? 0f : featureKept;
          tokenMask[row + k] = w[k];
        }
        inverseLength[i * d + f] = 1f / total;
      }
    }
    return new INDArray[] {
        Nd4j.create(ids, new long[] {b, t * s}, 'c'),
        Nd4j.create(keep, new long[] {b, d, t}, 'c'),
        Nd4j.create(tokenMask, new long[] {b, d, t}, 'c'),
        Nd4j.create(inverseLength, new long[] {b, d}, 'c')};
  }

  private static float checkedWeight(float w, int sentence, int token) {
    if (!(w > 0 && Float.isFinite(w))) {
      throw new IllegalArgumentException("sentence " + sentence + " token " + token
          + " has pooling weight " + w + "; weights must be finite and > 0");
    }
    return w;
  }

  private static int checkedId(TextEncoderConfig c, int id) {
    if (id < 0 || id >= c.vocabularySize()) {
      throw new IllegalArgumentException("token id " + id + " is outside the encoder's vocabulary"
          + " [0, " + c.vocabularySize() + ") (tokenizer buckets and encoder do not match)");
    }
    return id;
  }
}
