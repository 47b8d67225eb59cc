package dev.contraflow.augment;

import dev.contraflow.io.text.TokenizedSentence;

/**
 * The pair of views a sentence method contrasts: the first becomes the query, the second its
 * positive. Both pass the encoder in training mode, so each also gets its own dropout mask.
 *
 * @param first view of the query
 * @param second view of the positive
 */
public record TextViews(TextView first, TextView second) {

  /** SimCSE (Gao et al. 2021): the same sentence twice; dropout is the only augmentation. */
  public static TextViews simcse() {
    return new TextViews(TextView.identity(), TextView.identity());
  }

  /** ESimCSE (Wu et al. 2022): the positive repeats some words (duplication rate 0.32). */
  public static TextViews esimcse(double duplicationRate) {
    return new TextViews(TextView.identity(), new WordRepetition(duplicationRate));
  }

  /** ConSERT (Yan et al. 2021), its best pair: token shuffle vs feature cutoff (rate 0.2). */
  public static TextViews consert(int embeddingDim) {
    return new TextViews(new TokenShuffle(), new FeatureCutoff(0.2, embeddingDim));
  }

  /** Both views of one sentence, each from its own split of {@code rng}. */
  public SentenceView[] twoViews(TokenizedSentence s, Rng rng) {
    SentenceView plain = SentenceView.of(s);
    return new SentenceView[] {first.apply(plain, rng.split()), second.apply(plain, rng.split())};
  }
}
