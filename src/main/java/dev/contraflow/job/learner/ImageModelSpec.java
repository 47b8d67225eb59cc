package dev.contraflow.job.learner;

import dev.contraflow.avro.Modality;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.learn.Batch;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.ModelFile;
import dev.contraflow.learn.StepResult;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListStateDescriptor;

/** Image models: the {@link Learner} of {@code learner.*}. */
public record ImageModelSpec(LearnerConfig config) implements ModelSpec<LearnerInput> {

  @Override
  public Modality modality() {
    return Modality.IMAGE;
  }

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
  public ListStateDescriptor<LearnerInput> pendingBatch() {
    return LearnerStateDescriptors.pendingBatch();
  }

  @Override
  public String fileTag() {
    return "";
  }

  @Override
  public Stepper<LearnerInput> stepper() {
    Learner learner = new Learner(config);
    return new Stepper<>() {
      @Override
      public LearnerState initialState() {
        return learner.initialState();
      }

      @Override
      public StepResult step(LearnerState state, List<LearnerInput> inputs) {
        return learner.step(state, Batch.of(inputs.stream().map(LearnerInput::image).toList()));
      }
    };
  }

  @Override
  public Files files() {
    Encoder momentumEncoder = Encoder.create(config.encoder(), config.optimizer());
    return new Files() {
      @Override
      public byte[] modelFile(LearnerState state, Map<String, String> provenance)
          throws IOException {
        return ModelFile.toBytes(new ModelFile.Model(config, state, provenance));
      }

      @Override
      public byte[] momentumEncoderInDl4jFormat(LearnerState state) throws IOException {
        return ModelPublisher.dl4j(momentumEncoder, state);
      }
    };
  }
}
