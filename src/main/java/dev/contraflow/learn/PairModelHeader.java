package dev.contraflow.learn;

import static dev.contraflow.learn.ModelFile.req;

import dev.contraflow.io.TokenizerConfig;
import java.io.IOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A {@link PairLearnerConfig} as the {@code key=value} header of a model file, and back: the image
 * tower under {@code image.}, the text tower under {@code text.}, the tokenizer and optimiser
 * under the same keys as a sentence model's.
 */
final class PairModelHeader {

  static final String METHOD = "CLIP";

  private PairModelHeader() {}

  static Map<String, String> of(PairLearnerConfig c) {
    Map<String, String> kv = new TreeMap<>();
    kv.put("method", METHOD);
    ModelFile.putImageEncoder(kv, "image.", c.image());
    SentenceModelHeader.putTokenizer(kv, c.tokenizer());
    SentenceModelHeader.putTextEncoder(kv, "text.", c.text());
    SentenceModelHeader.putOptimizer(kv, c.optimizer());
    kv.put("initialTemperature", Double.toString(c.initialTemperature()));
    kv.put("cropScaleMin", Double.toString(c.cropScaleMin()));
    kv.put("batchSize", Integer.toString(c.batchSize()));
    kv.put("seed", Long.toString(c.seed()));
    return kv;
  }

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
