package dev.contraflow.job.learner;

import dev.contraflow.avro.Modality;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.learn.Batch;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.ModelFile;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/** Image models: the {@link Learner} of {@code learner.*}. */
public record ImageModelSpec(LearnerConfig config)
    implements ModelSpec<LearnerInput, LearnerState> {

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
  public ListStateDescriptor<LearnerInput> pendingBatch() {
    return LearnerStateDescriptors.pendingBatch();
  }

  @Override
  public String fileTag() {
    return "";
  }

  @Override
  public Stepper<LearnerInput, LearnerState> stepper() {
    Learner learner = new Learner(config);
    return new Stepper<>() {
      @Override
      public LearnerState initialState() {
        return learner.initialState();
      }

      @Override
      public Step<LearnerState> step(LearnerState state, List<LearnerInput> inputs) {
        return Step.onePerInput(learner.step(state,
            Batch.of(inputs.stream().map(LearnerInput::image).toList())), inputs, Modality.IMAGE);
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
        return ModelFile.toBytes(new ModelFile.Model(config, state, provenance));
      }

      @Override
      public Map<String, byte[]> dl4jEncoders(LearnerState state) throws IOException {
        return momentumEncoder.writesDl4j() // the GEMM encoders have no DL4J format
            ? Map.of("key-encoder", ModelPublisher.dl4j(momentumEncoder, state.momentumParams()))
            : Map.of();
      }
    };
  }
}
