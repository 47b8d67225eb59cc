package dev.contraflow.learn;

import static dev.contraflow.learn.ModelFile.req;

import dev.contraflow.io.text.TokenizerConfig;
import java.io.IOException;
import java.util.Properties;

/**
 * A {@link PairLearnerConfig} from the {@code key=value} header of a version 3 model file (version
 * 4 writes the configuration as JSON): the image tower under {@code image.}, the text tower under
 * {@code text.}, the tokenizer and optimiser under the same keys as a sentence model's.
 */
final class PairModelHeader {

  static final String METHOD = "CLIP";

  private PairModelHeader() {}

  /** @throws IllegalArgumentException for values a configuration refuses */
  static PairLearnerConfig config(Properties p) throws IOException {
    TokenizerConfig t = SentenceModelHeader.tokenizer(p);
    return new PairLearnerConfig(ModelFile.imageEncoder(p, "image."), t,
        SentenceModelHeader.textEncoder(p, "text.", t), SentenceModelHeader.optimizer(p),
        Double.parseDouble(req(p, "initialTemperature")),
        Double.parseDouble(req(p, "cropScaleMin")), SentenceModelHeader.integer(p, "batchSize"),
        Long.parseLong(req(p, "seed")));
  }
}
