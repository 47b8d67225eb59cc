package dev.contraflow.job.learner;

import dev.contraflow.encoder.Encoder;
import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.job.decode.PairInput;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.ModelFile;
import dev.contraflow.learn.PairExample;
import dev.contraflow.learn.PairLearnerConfig;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/**
 * Image-text models (CLIP): the pair {@link Learner} of {@code pairLearner.*}. Each pair is
 * embedded twice into the one shared space: its image as {@code <id>#image} (modality IMAGE) and
 * its caption as {@code <id>#text} (TEXT), both carrying the pair's source coordinates, so a
 * table or a search over the embeddings topic finds images by text and text by images.
 */
public record PairModelSpec(PairLearnerConfig config)
    implements ModelSpec<PairInput, PairExample> {

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
  public ValueStateDescriptor<LearnerState> legacyLearnerState() {
    return LearnerStateDescriptors.pairLearnerV1();
  }

  @Override
  public MapStateDescriptor<String, PairInput> liveSet() {
    return LearnerStateDescriptors.livePairs();
  }

  @Override
  public ListStateDescriptor<PairInput> gateSample() {
    return LearnerStateDescriptors.gatePairs();
  }

  @Override
  public ListStateDescriptor<PairInput> pendingBatch() {
    return LearnerStateDescriptors.pendingPairs();
  }

  @Override
  public ListStateDescriptor<PairInput> trainingBatch() {
    return LearnerStateDescriptors.trainingPairs();
  }

  @Override
  public String fileTag() {
    return "-clip";
  }

  @Override
  public Learner<PairExample> learner() {
    return Learner.pairs(config);
  }

  @Override
  public Function<PairInput, PairExample> examples() {
    SentenceTokenizer tokenizer = new SentenceTokenizer(config.tokenizer());
    return in -> {
      try {
        return in.example(tokenizer);
      } catch (InvalidSentenceException e) {
        // the decoder tokenised the same caption with the same configuration
        throw new IllegalStateException("a decoded caption no longer tokenises", e);
      }
    };
  }

  @Override
  public Files files() {
    Encoder image = Encoder.create(config.image(), config.optimizer());
    Encoder text = Encoder.create(config.text(), config.optimizer());
    return new Files() {
      @Override
      public byte[] modelFile(LearnerState state, Map<String, String> provenance)
          throws IOException {
        return ModelFile.toBytes(new ModelFile.PairModel(config, state, provenance));
      }

      @Override
      public Map<String, byte[]> dl4jEncoders(LearnerState state) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (image.writesDl4j()) { // the GEMM encoders have no DL4J format
          out.put("image-encoder", ModelPublisher.dl4j(image, state.network(LearnerState.ONLINE).params()));
        }
        out.put("text-encoder", ModelPublisher.dl4j(text, state.network(LearnerState.TEXT).params()));
        return out;
      }
    };
  }
}
