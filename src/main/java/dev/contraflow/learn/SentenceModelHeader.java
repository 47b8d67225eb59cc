package dev.contraflow.learn;

import static dev.contraflow.learn.ModelFile.req;

import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.encoder.TextEncoderConfig;
import dev.contraflow.io.TokenizerConfig;
import java.io.IOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** A {@link SentenceLearnerConfig} as the {@code key=value} header of a model file, and back. */
final class SentenceModelHeader {

  private SentenceModelHeader() {}

  static Map<String, String> of(SentenceLearnerConfig c) {
    Map<String, String> kv = new TreeMap<>();
    kv.put("method", c.method().name());
    putTokenizer(kv, c.tokenizer());
    putTextEncoder(kv, "encoder.", c.encoder());
    putOptimizerAndMomentum(kv, c.optimizer(), c.momentum());
    kv.put("queueSize", Integer.toString(c.queueSize()));
    kv.put("temperature", Double.toString(c.temperature()));
    kv.put("duplicationRate", Double.toString(c.duplicationRate()));
    kv.put("deletionRate", Double.toString(c.deletionRate()));
    kv.put("batchSize", Integer.toString(c.batchSize()));
    kv.put("seed", Long.toString(c.seed()));
    return kv;
  }

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

  static void putTokenizer(Map<String, String> kv, TokenizerConfig t) {
    kv.put("tokenizer.buckets", Integer.toString(t.buckets()));
    kv.put("tokenizer.ngramMin", Integer.toString(t.ngramMin()));
    kv.put("tokenizer.ngramMax", Integer.toString(t.ngramMax()));
    kv.put("tokenizer.slotsPerToken", Integer.toString(t.slotsPerToken()));
    kv.put("tokenizer.maxTokens", Integer.toString(t.maxTokens()));
    kv.put("tokenizer.maxChars", Integer.toString(t.maxChars()));
    kv.put("tokenizer.lowerCase", Boolean.toString(t.lowerCase()));
  }

  static TokenizerConfig tokenizer(Properties p) throws IOException {
    return new TokenizerConfig(
        integer(p, "tokenizer.buckets"), integer(p, "tokenizer.ngramMin"),
        integer(p, "tokenizer.ngramMax"), integer(p, "tokenizer.slotsPerToken"),
        integer(p, "tokenizer.maxTokens"), integer(p, "tokenizer.maxChars"),
        Boolean.parseBoolean(req(p, "tokenizer.lowerCase")));
  }

  /** The text encoder's own keys; vocabulary, slots and length are the tokenizer's. */
  static void putTextEncoder(Map<String, String> kv, String prefix, TextEncoderConfig e) {
    kv.put(prefix + "width", Integer.toString(e.width()));
    kv.put(prefix + "kernel", Integer.toString(e.kernel()));
    kv.put(prefix + "dropout", Double.toString(e.dropout()));
    kv.put(prefix + "projectionHidden", Integer.toString(e.projectionHidden()));
    kv.put(prefix + "projectionDim", Integer.toString(e.projectionDim()));
    kv.put(prefix + "seed", Long.toString(e.seed()));
  }

  static TextEncoderConfig textEncoder(Properties p, String prefix, TokenizerConfig t)
      throws IOException {
    return new TextEncoderConfig(t.buckets(), t.maxTokens(), t.slotsPerToken(),
        integer(p, prefix + "width"), integer(p, prefix + "kernel"),
        Double.parseDouble(req(p, prefix + "dropout")), integer(p, prefix + "projectionHidden"),
        integer(p, prefix + "projectionDim"), Long.parseLong(req(p, prefix + "seed")));
  }

  static void putOptimizerAndMomentum(Map<String, String> kv, OptimizerConfig o,
      MomentumUpdate m) {
    putOptimizer(kv, o);
    kv.put("momentum.m", Double.toString(m.momentum()));
    kv.put("momentum.schedule", m.schedule().name());
    kv.put("momentum.totalSteps", Long.toString(m.totalSteps()));
  }

  static void putOptimizer(Map<String, String> kv, OptimizerConfig o) {
    kv.put("optimizer.kind", o.kind().name());
    kv.put("optimizer.learningRate", Double.toString(o.learningRate()));
    kv.put("optimizer.momentum", Double.toString(o.momentum()));
    kv.put("optimizer.weightDecay", Double.toString(o.weightDecay()));
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
