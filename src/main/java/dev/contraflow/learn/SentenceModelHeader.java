package dev.contraflow.learn;

import static dev.contraflow.learn.ModelFile.req;

import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.encoder.TextEncoderConfig;
import dev.contraflow.io.text.TokenizerConfig;
import java.io.IOException;
import java.util.Properties;

/**
 * A {@link SentenceLearnerConfig} from the {@code key=value} header of a model file of version 2
 * or 3 (version 4 writes the configuration as JSON).
 */
final class SentenceModelHeader {

  private SentenceModelHeader() {}

  /** @throws IllegalArgumentException for values a configuration refuses */
  static SentenceLearnerConfig config(Properties p) throws IOException {
    TokenizerConfig t = tokenizer(p);
    TextEncoderConfig e = textEncoder(p, "encoder.", t);
    return new SentenceLearnerConfig(Method.valueOf(req(p, "method")), t, e, optimizer(p),
        integer(p, "queueSize"), Double.parseDouble(req(p, "temperature")), momentum(p),
        Double.parseDouble(req(p, "duplicationRate")),
        Double.parseDouble(req(p, "deletionRate")), integer(p, "batchSize"),
        Long.parseLong(req(p, "seed")));
  }

  static TokenizerConfig tokenizer(Properties p) throws IOException {
    return new TokenizerConfig(
        integer(p, "tokenizer.buckets"), integer(p, "tokenizer.ngramMin"),
        integer(p, "tokenizer.ngramMax"), integer(p, "tokenizer.slotsPerToken"),
        integer(p, "tokenizer.maxTokens"), integer(p, "tokenizer.maxChars"),
        Boolean.parseBoolean(req(p, "tokenizer.lowerCase")));
  }

  /** The text encoder's own keys; vocabulary, slots and length are the tokenizer's. */
  static TextEncoderConfig textEncoder(Properties p, String prefix, TokenizerConfig t)
      throws IOException {
    return new TextEncoderConfig(t.buckets(), t.maxTokens(), t.slotsPerToken(),
        integer(p, prefix + "width"), integer(p, prefix + "kernel"),
        Double.parseDouble(req(p, prefix + "dropout")), integer(p, prefix + "projectionHidden"),
        integer(p, prefix + "projectionDim"), Long.parseLong(req(p, prefix + "seed")));
  }

  static OptimizerConfig optimizer(Properties p) throws IOException {
    return new OptimizerConfig(OptimizerConfig.Kind.valueOf(req(p, "optimizer.kind")),
        Double.parseDouble(req(p, "optimizer.learningRate")),
        Double.parseDouble(req(p, "optimizer.momentum")),
        Double.parseDouble(req(p, "optimizer.weightDecay")));
  }

  static MomentumUpdate momentum(Properties p) throws IOException {
    return new MomentumUpdate(Double.parseDouble(req(p, "momentum.m")),
        MomentumUpdate.Schedule.valueOf(req(p, "momentum.schedule")),
        Long.parseLong(req(p, "momentum.totalSteps")));
  }

  static int integer(Properties p, String key) throws IOException {
    return Integer.parseInt(req(p, key));
  }
}
