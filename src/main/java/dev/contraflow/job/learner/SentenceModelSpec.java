package dev.contraflow.job.learner;

import dev.contraflow.encoder.Encoder;
import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.job.decode.SentenceInput;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.ModelFile;
import dev.contraflow.learn.SentenceExample;
import dev.contraflow.learn.SentenceLearnerConfig;
import java.io.IOException;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/** Sentence models: the sentence {@link Learner} of {@code sentenceLearner.*}. */
public record SentenceModelSpec(SentenceLearnerConfig config)
    implements ModelSpec<SentenceInput, SentenceExample> {

  @Override
  public int batchSize() {
    return config.batchSize();
  }

  @Override
  public String method() {
    return config.method().name();
  }

  @Override
  public String configJson() {
    return ModelPublisher.toJson(config);
  }

  @Override
  public ValueStateDescriptor<LearnerState> legacyLearnerState() {
    return LearnerStateDescriptors.learnerV1();
  }

  @Override
  public MapStateDescriptor<String, SentenceInput> liveSet() {
    return LearnerStateDescriptors.liveSentences();
  }

  @Override
  public ListStateDescriptor<SentenceInput> gateSample() {
    return LearnerStateDescriptors.gateSentences();
  }

  @Override
  public ListStateDescriptor<SentenceInput> pendingBatch() {
    return LearnerStateDescriptors.pendingSentences();
  }

  @Override
  public ListStateDescriptor<SentenceInput> trainingBatch() {
    return LearnerStateDescriptors.trainingSentences();
  }

  @Override
  public String fileTag() {
    return "-text";
  }

  @Override
  public Learner<SentenceExample> learner() {
    return Learner.sentences(config);
  }

  @Override
  public Function<SentenceInput, SentenceExample> examples() {
    SentenceTokenizer tokenizer = new SentenceTokenizer(config.tokenizer());
    return in -> {
      try {
        return in.example(tokenizer);
      } catch (InvalidSentenceException e) {
        // the decoder tokenised the same text with the same configuration
        throw new IllegalStateException("a decoded sentence no longer tokenises", e);
      }
    };
  }

  @Override
  public Files files() {
    // a scratch encoder of the model's shape writes DL4J's format; a kind that is no DL4J graph
    // (the hashed bag) has none, and a scratch copy of its table would cost as much as the model
    Encoder momentumEncoder = config.encoder().kind().isDl4jGraph()
        ? Encoder.create(config.encoder(), config.optimizer()) : null;
    return new Files() {
      @Override
      public byte[] modelFile(LearnerState state, Map<String, String> provenance)
          throws IOException {
        return ModelFile.toBytes(new ModelFile.SentenceModel(config, state, provenance));
      }

      @Override
      public Map<String, byte[]> dl4jEncoders(LearnerState state) throws IOException {
        return momentumEncoder == null ? Map.of()
            : Map.of("key-encoder", ModelPublisher.dl4j(momentumEncoder,
                state.embeddingParams()));
      }
    };
  }
}
