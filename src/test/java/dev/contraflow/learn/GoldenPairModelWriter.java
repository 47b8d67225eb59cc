package dev.contraflow.learn;

import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.io.text.TokenizerConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** Wrote src/test/resources/golden/pair-model-v3.cfm once; kept to show how it was made. */
class GoldenPairModelWriter {

  static PairLearnerConfig config() {
    TokenizerConfig t = new TokenizerConfig(64, 3, 3, 2, 8, 100, true);
    return new PairLearnerConfig(new EncoderConfig(EncoderKind.CNN, 1, 8, 8, 2, 1, 8, 4, 3L), t,
        SentenceLearnerConfig.encoderFor(t, 4, 0.1, 3L).withHead(8, 4),
        new OptimizerConfig(OptimizerConfig.Kind.ADAM, 1e-3, 0, 0), 0.07, 0.8, 3, 5L);
  }

  @Disabled("writes the golden file; run by hand only for a new format version")
  @Test
  void write() throws Exception {
    Learner<PairExample> learner = Learner.pairs(config());
    Batch<PairExample> batch = Batch.trainingOnly(TinyPairs.examples(3));
    LearnerState s = learner.initialState();
    for (int i = 0; i < 2; i++) {
      s = learner.step(s, batch).state();
    }
    ModelFile.write(Path.of("src/test/resources/golden/pair-model-v3.cfm"),
        new ModelFile.PairModel(config(), s, Map.of("data", "golden")));
  }
}
