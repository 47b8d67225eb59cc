package dev.contraflow.job.learner;

import dev.contraflow.avro.Modality;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.io.InvalidSentenceException;
import dev.contraflow.job.decode.PairInput;
import dev.contraflow.learn.ModelFile;
import dev.contraflow.learn.PairBatch;
import dev.contraflow.learn.PairExample;
import dev.contraflow.learn.PairLearner;
import dev.contraflow.learn.PairLearnerConfig;
import dev.contraflow.learn.PairLearnerState;
import dev.contraflow.learn.PairStepResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/**
 * Image-text models (CLIP): the {@link PairLearner} of {@code pairLearner.*}. Each pair is
 * embedded twice into the one shared space: its image as {@code <id>#image} (modality IMAGE) and
 * its caption as {@code <id>#text} (TEXT), both carrying the pair's source coordinates, so a
 * table or a search over the embeddings topic finds images by text and text by images.
 */
public record PairModelSpec(PairLearnerConfig config)
    implements ModelSpec<PairInput, PairLearnerState> {

  @Override
  public int batchSize() {
    return config.batchSize();
  }

  @Override
  public String method() {
    return "CLIP";
  }

  @Override
  public String configJson() {
    return ModelPublisher.toJson(config);
  }

  @Override
  public ValueStateDescriptor<PairLearnerState> learnerState() {
    return LearnerStateDescriptors.pairLearner();
  }

  @Override
  public ListStateDescriptor<PairInput> pendingBatch() {
    return LearnerStateDescriptors.pendingPairs();
  }

  @Override
  public String fileTag() {
    return "-clip";
  }

  @Override
  public Stepper<PairInput, PairLearnerState> stepper() {
    PairLearner learner = new PairLearner(config);
    return new Stepper<>() {
      @Override
      public PairLearnerState initialState() {
        return learner.initialState();
      }

      @Override
      public Step<PairLearnerState> step(PairLearnerState state, List<PairInput> inputs) {
        List<PairExample> examples = new ArrayList<>(inputs.size());
        for (PairInput in : inputs) {
          try {
            examples.add(in.example(learner.tokenizer()));
          } catch (InvalidSentenceException e) {
            // the decoder tokenised the same caption with the same configuration
            throw new IllegalStateException("a decoded caption no longer tokenises", e);
          }
        }
        PairStepResult r = learner.step(state, PairBatch.of(examples));
        List<Output> outputs = new ArrayList<>(2 * inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
          String id = inputs.get(i).id;
          outputs.add(new Output(i, id + "#image", Modality.IMAGE, r.imageEmbeddings().get(i)));
          outputs.add(new Output(i, id + "#text", Modality.TEXT, r.textEmbeddings().get(i)));
        }
        return new Step<>(r.state(), r.state().step(), outputs, r.metrics());
      }
    };
  }

  @Override
  public Files<PairLearnerState> files() {
    Encoder image = Encoder.create(config.image(), config.optimizer());
    Encoder text = Encoder.create(config.text(), config.optimizer());
    return new Files<>() {
      @Override
      public byte[] modelFile(PairLearnerState state, Map<String, String> provenance)
          throws IOException {
        return ModelFile.toBytes(new ModelFile.PairModel(config, state, provenance));
      }

      @Override
      public Map<String, byte[]> dl4jEncoders(PairLearnerState state) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (image.writesDl4j()) { // the GEMM encoders have no DL4J format
          out.put("image-encoder", ModelPublisher.dl4j(image, state.imageParams()));
        }
        out.put("text-encoder", ModelPublisher.dl4j(text, state.textParams()));
        return out;
      }
    };
  }
}
