package dev.contraflow.encoder;

import java.io.Serializable;

/**
 * The shape of the sentence encoder. {@link TextEncoderKind#CONTEXT_CONVOLUTION}: hashed-id
 * embeddings averaged per token (fastText-style subwords), dropout, a residual 1-D convolution
 * over neighbouring tokens (the contextual layer), pooling over the sentence's tokens, and the
 * projection head fc-ReLU-fc as for images. {@link TextEncoderKind#HASHED_BAG}: the pooled token
 * embeddings with dropout are the representation and the projection (kernel and head unused).
 *
 * @param vocabularySize ids are in [0, vocabularySize); 0 is padding (the tokenizer's buckets;
 *     0 here: set from the tokenizer, see {@link #fittedTo})
 * @param maxTokens T, tokens per sentence the network takes (longer views are truncated; 0: the
 *     tokenizer's)
 * @param slotsPerToken ids averaged into one token embedding (word id + n-gram ids; 0: the
 *     tokenizer's)
 * @param width d of token embeddings, of the contextual layer and of the representation
 * @param kernel tokens the convolution sees at once (3: a word and its two neighbours)
 * @param dropout probability of dropping an activation of the token embeddings in training
 *     (SimCSE: 0.1; its positive pair is the same sentence under two dropout masks)
 * @param projectionHidden hidden units of the projection head
 * @param projectionDim output dimension of the head, the space the loss lives in
 * @param seed parameter initialisation seed
 * @param kind the encoder's architecture; null: CONTEXT_CONVOLUTION (settings and model files
 *     from before the hashed bag)
 */
public record TextEncoderConfig(int vocabularySize, int maxTokens, int slotsPerToken, int width,
    int kernel, double dropout, int projectionHidden, int projectionDim, long seed,
    TextEncoderKind kind) implements Serializable {

  /** The context-convolution encoder, as every sentence model before the hashed bag. */
  public TextEncoderConfig(int vocabularySize, int maxTokens, int slotsPerToken, int width,
      int kernel, double dropout, int projectionHidden, int projectionDim, long seed) {
    this(vocabularySize, maxTokens, slotsPerToken, width, kernel, dropout, projectionHidden,
        projectionDim, seed, TextEncoderKind.CONTEXT_CONVOLUTION);
  }

  public TextEncoderConfig {
    kind = kind == null ? TextEncoderKind.CONTEXT_CONVOLUTION : kind;
    // 0: not given, the learner's tokenizer sets it (fittedTo)
    requireAtLeast("vocabularySize", vocabularySize, 0, "use the tokenizer's bucket count");
    requireAtLeast("maxTokens", maxTokens, 0, "use e.g. 32");
    requireAtLeast("slotsPerToken", slotsPerToken, 0, "1 = word ids only");
    if (vocabularySize == 1) {
      throw new IllegalArgumentException("text encoder vocabularySize must be >= 2 (id 0 is"
          + " padding), got 1");
    }
    requireAtLeast("width", width, 2, "use e.g. 256");
    requireAtLeast("kernel", kernel, 1, "use 3");
    if (kernel % 2 == 0) {
      throw new IllegalArgumentException("text encoder kernel must be odd (centred on a token), got "
          + kernel);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException(
          "text encoder dropout must be in [0, 1), got " + dropout + " (SimCSE uses 0.1)");
    }
    requireAtLeast("projectionHidden", projectionHidden, 1, "use e.g. 512");
    requireAtLeast("projectionDim", projectionDim, 2, "use e.g. 128");
    // the bag's projection is its representation: a loss space of another size has no layer
    if (kind == TextEncoderKind.HASHED_BAG && projectionDim != width) {
      throw new IllegalArgumentException("text encoder projectionDim must equal width (" + width
          + ") for a HASHED_BAG encoder, whose projection is its representation, got "
          + projectionDim + " (set projectionDim to " + width + ")");
    }
  }

  /**
   * This encoder with the tokenizer's vocabulary, tokens and ids per token where they are not
   * given (0): the job's YAML names only the encoder's own settings.
   */
  public TextEncoderConfig fittedTo(int buckets, int tokens, int slots) {
    return new TextEncoderConfig(vocabularySize == 0 ? buckets : vocabularySize,
        maxTokens == 0 ? tokens : maxTokens, slotsPerToken == 0 ? slots : slotsPerToken, width,
        kernel, dropout, projectionHidden, projectionDim, seed, kind);
  }

  public TextEncoderConfig withHead(int hidden, int dim) {
    return new TextEncoderConfig(vocabularySize, maxTokens, slotsPerToken, width, kernel, dropout,
        hidden, dim, seed, kind);
  }

  /** Token ids per sentence the network reads: maxTokens x slotsPerToken. */
  public int idsPerSentence() {
    return maxTokens * slotsPerToken;
  }

  private static void requireAtLeast(String field, int value, int min, String remedy) {
    if (value < min) {
      throw new IllegalArgumentException(
          "text encoder " + field + " must be >= " + min + ", got " + value + " (" + remedy + ")");
    }
  }
}
