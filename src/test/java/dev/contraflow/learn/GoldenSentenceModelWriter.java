package dev.contraflow.learn;

import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.io.text.TokenizerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** Wrote src/test/resources/golden/sentence-model-v2.cfm once; kept to show how it was made. */
class GoldenSentenceModelWriter {

  static SentenceLearnerConfig config() {
    TokenizerConfig t = new TokenizerConfig(64, 3, 3, 2, 8, 100, true);
    return new SentenceLearnerConfig(Method.ESIMCSE, t,
        SentenceLearnerConfig.encoderFor(t, 4, 0.1, 3L).withHead(8, 4),
        new OptimizerConfig(OptimizerConfig.Kind.ADAM, 1e-3, 0, 0), 6, 0.05,
        MomentumUpdate.constant(0.9), 0.32, 0.5, 3, 5L);
  }

  @Disabled("writes the golden file; run by hand only for a new format version")
  @Test
  void write() throws Exception {
    Learner<SentenceExample> learner = Learner.sentences(config());
    SentenceTokenizer tokenizer = new SentenceTokenizer(config().tokenizer());
    List<SentenceExample> batch = List.of(
        SentenceExample.of(tokenizer.tokenize("a", "the cat sat")),
        SentenceExample.of(tokenizer.tokenize("b", "a dog barked")),
        SentenceExample.of(tokenizer.tokenize("c", "rain fell")));
    LearnerState s = learner.initialState();
    for (int i = 0; i < 2; i++) {
      s = learner.step(s, Batch.trainingOnly(batch)).state();
    }
    ModelFile.write(Path.of("src/test/resources/golden/sentence-model-v2.cfm"),
        new ModelFile.SentenceModel(config(), s, Map.of("data", "golden")));
  }
}
