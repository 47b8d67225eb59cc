package dev.contraflow.learn;

import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.encoder.SentencePooling;
import dev.contraflow.encoder.TextEncoderConfig;
import dev.contraflow.encoder.TextEncoderKind;
import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.io.text.TokenizerConfig;
import java.util.ArrayList;
import java.util.List;

/** A tiny sentence learner and sentences for fast tests. */
final class TinySentences {

  static final String[] TEXTS = {
      "the cat sat on the mat", "a dog barked at the postman", "rain fell all night long",
      "she sold sea shells by the shore", "the stock market rose sharply today",
      "he played the violin at the concert", "bread is baked in a hot oven",
      "the river flooded the valley in spring", "children laughed in the playground",
      "the committee approved the new budget", "stars shine brightly in the desert sky",
      "the train was late again this morning"};

  private TinySentences() {}

  /** The tokenizer of every config here. */
  static final TokenizerConfig TOKENIZER = new TokenizerConfig(512, 3, 4, 3, 12, 1000, true);

  static SentenceLearnerConfig config(Method method, int queueSize) {
    TokenizerConfig t = TOKENIZER;
    return new SentenceLearnerConfig(method, t, SentenceLearnerConfig.encoderFor(t, 16, 0.1, 3L)
        .withHead(32, 8), new OptimizerConfig(OptimizerConfig.Kind.ADAM, 3e-3, 0, 0), queueSize,
        0.05, MomentumUpdate.constant(0.9), 0.32, 0, 6, 5L);
  }

  /**
   * The hashed bag of words of width 16 with IDF pooling, trained by {@code optimizer}'s sparse
   * row updates.
   */
  static SentenceLearnerConfig hashedBag(Method method, int queueSize,
      OptimizerConfig.Kind optimizer) {
    TokenizerConfig t = TOKENIZER;
    TextEncoderConfig bag = new TextEncoderConfig(t.buckets(), t.maxTokens(), t.slotsPerToken(),
        16, 1, 0.1, 1, 16, 3L, TextEncoderKind.HASHED_BAG);
    return new SentenceLearnerConfig(method, t, bag, new OptimizerConfig(optimizer, 0.05, 0, 0),
        queueSize, 0.05, MomentumUpdate.constant(0.9), 0.32, 0.2, 6, 5L, null, 0,
        SentencePooling.IDF);
  }

  /**
   * The sentence defaults' shape in small (default-job.yaml): supervised SimCSE - no queue,
   * momentum 0, so the embeddings are the online encoder's - on the hashed bag with IDF pooling
   * and row-wise Adagrad.
   */
  static SentenceLearnerConfig simCseOnHashedBag() {
    SentenceLearnerConfig bag = hashedBag(Method.SIMCSE, 0, OptimizerConfig.Kind.ADAGRAD);
    return new SentenceLearnerConfig(bag.method(), bag.tokenizer(), bag.encoder(),
        new OptimizerConfig(OptimizerConfig.Kind.ADAGRAD, 0.01, 0, 0), 0, bag.temperature(),
        MomentumUpdate.constant(0), bag.duplicationRate(), bag.deletionRate(), bag.batchSize(),
        bag.seed(), null, 0, SentencePooling.IDF);
  }

  /** {@code n} supervised records: each sentence with the next text as its positive. */
  static List<SentenceExample> pairs(int n) {
    List<SentenceExample> sentences = examples(n + 1);
    List<SentenceExample> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new SentenceExample(sentences.get(i).sentence(), sentences.get(i + 1).sentence(),
          null));
    }
    return out;
  }

  static SentenceTokenizer tokenizer() {
    return new SentenceTokenizer(TOKENIZER);
  }

  static List<SentenceExample> examples(int n) {
    SentenceTokenizer tokenizer = tokenizer();
    List<SentenceExample> out = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        out.add(SentenceExample.of(tokenizer.tokenize("s" + i, TEXTS[i % TEXTS.length])));
      }
    } catch (InvalidSentenceException e) {
      throw new AssertionError(e);
    }
    return out;
  }
}
