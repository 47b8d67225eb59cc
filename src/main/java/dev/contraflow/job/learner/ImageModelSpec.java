package dev.contraflow.job.learner;

import dev.contraflow.encoder.Encoder;
import dev.contraflow.io.image.Image;
import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.ModelFile;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/** Image models: the image {@link Learner} of {@code learner.*}. */
public record ImageModelSpec(LearnerConfig config) implements ModelSpec<LearnerInput, Image> {

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
  public MapStateDescriptor<String, LearnerInput> liveSet() {
    return LearnerStateDescriptors.liveImages();
  }

  @Override
  public ListStateDescriptor<LearnerInput> gateSample() {
    return LearnerStateDescriptors.gateImages();
  }

  @Override
  public ListStateDescriptor<LearnerInput> pendingBatch() {
    return LearnerStateDescriptors.pendingBatch();
  }

  @Override
  public ListStateDescriptor<LearnerInput> trainingBatch() {
    return LearnerStateDescriptors.trainingBatch();
  }

  @Override
  public String fileTag() {
    return "";
  }

  @Override
  public Learner<Image> learner() {
    return Learner.images(config);
  }

  @Override
  public Function<LearnerInput, Image> examples() {
    return LearnerInput::image;
  }

  @Override
  public List<Image> probeExamples(List<Image> images) {
    return images;
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
      public Map<String, byte[]> dl4jEncoders(LearnerState state) throws IOException {
        return momentumEncoder.writesDl4j() // the GEMM encoders have no DL4J format
            ? Map.of("key-encoder", ModelPublisher.dl4j(momentumEncoder, state.embeddingParams()))
            : Map.of();
      }
    };
  }
}
