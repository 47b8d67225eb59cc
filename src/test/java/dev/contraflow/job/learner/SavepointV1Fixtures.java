package dev.contraflow.job.learner;

import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.IdxReader;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.decode.KeyedInput;
import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.job.decode.PairInput;
import dev.contraflow.job.decode.SentenceInput;
import dev.contraflow.job.sink.KafkaOutput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * The learner-operator savepoints that the job wrote before the one learner frame (issue 12):
 * keyed state under {@code learner-state-v1} / {@code pair-learner-state-v1}, one per modality,
 * and the embeddings the uninterrupted job emitted next. {@link GoldenSavepointWriter} wrote them
 * once; {@link SavepointV1RestoreTest} restores them into today's operator.
 *
 * <p>Each savepoint holds one model ("m") after one full micro-batch (step 1) and with part of the
 * next micro-batch pending under a batch-timeout timer; the continuation feeds the records
 * {@code [stepped + pending, stepped + pending + batch)} and fires the timer.
 */
final class SavepointV1Fixtures {

  static final long TIMEOUT_MS = 1000;
  static final String MODEL = "m";
  private static final RecordCodec<EmbeddingRecord> EMBEDDINGS =
      RecordCodec.singleObject(EmbeddingRecord.class);
  private static final String[] TEXT = {
      "the cat sat on the mat", "a dog barked at the postman", "rain fell on the old town",
      "she read the letter twice", "the river ran fast after the storm",
      "children played in the park", "he sold his bicycle last week", "the bread was still warm",
      "an owl called from the wood", "the train left without us", "snow covered the quiet hills",
      "they painted the kitchen blue"};

  /**
   * One modality's fixture.
   *
   * @param name file-name part: savepoint-v1-{name}.bin and savepoint-v1-{name}-next.txt
   * @param overrides the job configuration (on top of the defaults) the savepoint was written with
   * @param stepped records before the snapshot that made step 1
   * @param pending records before the snapshot still waiting for the micro-batch
   * @param continuation records fed after the snapshot
   * @param input the i-th record of the stream
   * @param function the learner operator of the modality
   */
  record Fixture<I extends KeyedInput>(String name, List<String> overrides, int stepped,
      int pending, int continuation, IntFunction<I> input,
      Function<JobConfig, KeyedProcessFunction<String, I, KafkaOutput>> function) {

    Path savepoint() {
      return golden().resolve("savepoint-v1-" + name + ".bin");
    }

    Path nextEmbeddings() {
      return golden().resolve("savepoint-v1-" + name + "-next.txt");
    }

    KeyedOneInputStreamOperatorTestHarness<String, I, KafkaOutput> harness(Path modelStore)
        throws Exception {
      List<String> all = new ArrayList<>(overrides);
      all.add("job.batchTimeout=" + TIMEOUT_MS + "ms");
      all.add("publish.everySteps=1000");
      all.add("publish.modelStore=" + modelStore.toUri());
      return new KeyedOneInputStreamOperatorTestHarness<>(
          new KeyedProcessOperator<>(function.apply(JobConfigLoader.defaults(all))),
          (KeySelector<I, String>) in -> in.modelId, Types.STRING);
    }
  }

  static List<Fixture<?>> all() throws Exception {
    List<Image> images = IdxReader.readImages(Path.of(SavepointV1Fixtures.class.getResource(
        "/fashion-mnist-subset/train-images-idx3-ubyte.gz").toURI()), 40);
    return List.of(
        new Fixture<LearnerInput>("image", List.of("learner.method=MOCO",
            "learner.temperature=0.2", "learner.encoder.kind=CNN",
            // the image learning rate of the job that wrote the savepoint (before issue 20's 0.06)
            "learner.optimizer.learningRate=0.03",
            "learner.encoder.baseWidth=4", "learner.encoder.projectionHidden=16",
            "learner.encoder.projectionDim=8", "learner.queueSize=20",
            "learner.batchSize=8", // the old job had no replay: one update per micro-batch
            "learner.replay.capacity=0", "learner.replay.updatesPerBatch=1"), 8, 4, 8,
            i -> new LearnerInput(MODEL, images.get(i), "images", 0, i, 0),
            LearnerFunction::images),
        new Fixture<SentenceInput>("sentence", List.of("sentenceLearner.method=ESIMCSE",
            // the sentence defaults of the job that wrote the savepoint (before issue 16)
            "sentenceLearner.encoder.kind=CONTEXT_CONVOLUTION",
            "sentenceLearner.tokenizer.slotsPerToken=6", "sentenceLearner.optimizer.kind=ADAM",
            "sentenceLearner.optimizer.learningRate=0.001",
            "sentenceLearner.momentum.momentum=0.995", "sentenceLearner.pooling=MEAN",
            "sentenceLearner.tokenizer.buckets=512", "sentenceLearner.tokenizer.maxTokens=8",
            "sentenceLearner.encoder.width=8", "sentenceLearner.encoder.projectionHidden=16",
            "sentenceLearner.encoder.projectionDim=8",
            "sentenceLearner.queueSize=8", "sentenceLearner.batchSize=4"), 4, 2, 4,
            i -> new SentenceInput("s" + i, MODEL, TEXT[i % TEXT.length],
                i == 2 ? "a cat was sitting on a mat" : null,
                i == 2 ? "no animal was anywhere near the mat" : null, "sentences", 0, i,
                1000L + i),
            LearnerFunction::sentences),
        // the old job's pairs took the sentence learner's tokenizer and the text seed + 1
        new Fixture<PairInput>("pair", List.of("pairLearner.image.kind=CNN",
            "pairLearner.image.baseWidth=4", "pairLearner.text.width=8",
            "pairLearner.image.projectionHidden=16", "pairLearner.text.projectionHidden=16",
            "pairLearner.image.projectionDim=8", "pairLearner.text.projectionDim=8",
            "pairLearner.batchSize=4", "pairLearner.tokenizer.buckets=512"), 4, 2, 4,
            i -> new PairInput(MODEL, images.get(i), "item number " + i, "pairs", 0, i, 0),
            LearnerFunction::pairs));
  }

  /**
   * The embeddings among a harness's outputs, one line each: id, modality, model version, then the
   * vector (Float.toString round-trips exactly). Times and config hashes are left out: they are
   * not the learner's.
   */
  static List<String> embeddingLines(List<KafkaOutput> outputs) throws Exception {
    List<String> out = new ArrayList<>();
    for (KafkaOutput o : outputs) {
      if (!o.topic.equals("contraflow.embeddings")) {
        continue;
      }
      EmbeddingRecord e = EMBEDDINGS.decode(o.value);
      StringBuilder line = new StringBuilder(e.getId() + " " + e.getModality() + " "
          + e.getModelVersion());
      for (float v : e.getVector()) {
        line.append(' ').append(v);
      }
      out.add(line.toString());
    }
    return out;
  }

  static Path golden() {
    return Path.of("src/test/resources/golden");
  }

  private SavepointV1Fixtures() {}
}
