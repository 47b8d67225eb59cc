package dev.contraflow.job.learner;

import dev.contraflow.avro.Modality;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.io.InvalidSentenceException;
import dev.contraflow.job.decode.SentenceInput;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.ModelFile;
import dev.contraflow.learn.SentenceBatch;
import dev.contraflow.learn.SentenceExample;
import dev.contraflow.learn.SentenceLearner;
import dev.contraflow.learn.SentenceLearnerConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/** Sentence models: the {@link SentenceLearner} of {@code sentenceLearner.*}. */
public record SentenceModelSpec(SentenceLearnerConfig config)
    implements ModelSpec<SentenceInput, LearnerState> {

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
  public ValueStateDescriptor<LearnerState> learnerState() {
    return LearnerStateDescriptors.learner();
  }

  @Override
  public ListStateDescriptor<SentenceInput> pendingBatch() {
    return LearnerStateDescriptors.pendingSentences();
  }

  @Override
  public String fileTag() {
    return "-text";
  }

  @Override
  public Stepper<SentenceInput, LearnerState> stepper() {
    SentenceLearner learner = new SentenceLearner(config);
    return new Stepper<>() {
      @Override
      public LearnerState initialState() {
        return learner.initialState();
      }

      @Override
      public Step<LearnerState> step(LearnerState state, List<SentenceInput> inputs) {
        List<SentenceExample> examples = new ArrayList<>(inputs.size());
        for (SentenceInput in : inputs) {
          try {
            examples.add(in.example(learner.tokenizer()));
          } catch (InvalidSentenceException e) {
            // the decoder tokenised the same text with the same configuration
            throw new IllegalStateException("a decoded sentence no longer tokenises", e);
          }
        }
        return Step.onePerInput(learner.step(state, SentenceBatch.of(examples)), inputs,
            Modality.TEXT);
      }
    };
  }

  @Override
  public Files<LearnerState> files() {
    Encoder momentumEncoder = Encoder.create(config.encoder(), config.optimizer());
    return new Files<>() {
      @Override
      public byte[] modelFile(LearnerState state, Map<String, String> provenance)
          throws IOException {
        return ModelFile.toBytes(new ModelFile.SentenceModel(config, state, provenance));
      }

      @Override
      public Map<String, byte[]> dl4jEncoders(LearnerState state) throws IOException {
        return Map.of("key-encoder", ModelPublisher.dl4j(momentumEncoder,
            state.momentumParams()));
      }
    };
  }
}
