package dev.contraflow.learn;

import dev.contraflow.contrast.LogitScale;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.io.text.TokenizerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link TinyImages}' squares with captions saying where the square is, and a tiny CLIP learner.
 * Images at the same place get the same caption, as real captions repeat.
 */
final class TinyPairs {

  private static final String[] NUMBERS = {"zero", "one", "two", "three", "four", "five", "six",
      "seven"};

  private TinyPairs() {}

  /** CNN w4 and a width-16 text encoder, both to d = 8; Adam 3e-3; B = 6; no crop. */
  static PairLearnerConfig config() {
    return config(LogitScale.INITIAL_TEMPERATURE, 1.0);
  }

  static PairLearnerConfig config(double initialTemperature, double cropScaleMin) {
    TokenizerConfig t = new TokenizerConfig(512, 3, 4, 3, 12, 1000, true);
    return new PairLearnerConfig(TinyImages.config().encoder(), t,
        SentenceLearnerConfig.encoderFor(t, 16, 0.1, 3L).withHead(32, 8),
        new OptimizerConfig(OptimizerConfig.Kind.ADAM, 3e-3, 0, 0), initialTemperature,
        cropScaleMin, 6, 5L);
  }

  /** The caption of TinyImages' image i: the row and column of its square. */
  static String caption(int i) {
    int y0 = (i * 3) % (TinyImages.SIZE - 4);
    int x0 = (i * 5) % (TinyImages.SIZE - 4);
    return "a bright square at row " + NUMBERS[y0] + " and column " + NUMBERS[x0];
  }

  static SentenceTokenizer tokenizer() {
    return new SentenceTokenizer(config().tokenizer());
  }

  static List<PairExample> examples(int n) {
    SentenceTokenizer tokenizer = tokenizer();
    List<Image> images = TinyImages.images(n, 9);
    List<PairExample> out = new ArrayList<>(n);
    try {
      for (int i = 0; i < n; i++) {
        out.add(new PairExample("p" + i, images.get(i),
            tokenizer.tokenize("p" + i, caption(i))));
      }
    } catch (InvalidSentenceException e) {
      throw new AssertionError(e);
    }
    return out;
  }
}
