package dev.contraflow.job.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.Modality;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.decode.SentenceInput;
import dev.contraflow.job.sink.KafkaOutput;
import dev.contraflow.learn.Batch;
import dev.contraflow.learn.Embedding;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.ModelFile;
import dev.contraflow.learn.SentenceExample;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sentence learner operator under Flink's test harness: the same contract as for images. */
class SentenceLearnerFunctionTest {

  private static final long TIMEOUT_MS = 1000;
  private static final RecordCodec<EmbeddingRecord> EMBEDDINGS =
      RecordCodec.singleObject(EmbeddingRecord.class);
  private static final RecordCodec<CheckpointRecord> CHECKPOINTS =
      RecordCodec.singleObject(CheckpointRecord.class);
  private static final String[] TEXT = {
      "the cat sat on the mat", "a dog barked at the postman", "rain fell on the old town",
      "she read the letter twice", "the river ran fast after the storm",
      "children played in the park", "he sold his bicycle last week", "the bread was still warm",
      "an owl called from the wood", "the train left without us", "snow covered the quiet hills",
      "they painted the kitchen blue"};

  @TempDir
  Path dir;

  static JobConfig config(Path dir, int publishEverySteps) {
    return JobConfigLoader.defaults(List.of("sentenceLearner.tokenizer.buckets=512",
        "sentenceLearner.tokenizer.maxTokens=8", "sentenceLearner.encoder.width=8",
        "sentenceLearner.encoder.projectionHidden=16", "sentenceLearner.encoder.projectionDim=8",
        "sentenceLearner.queueSize=8", "sentenceLearner.batchSize=4",
        "job.batchTimeout=" + TIMEOUT_MS + "ms", "publish.everySteps=" + publishEverySteps,
        "publish.modelStore=" + dir.resolve("models").toUri()));
  }

  private KeyedOneInputStreamOperatorTestHarness<String, SentenceInput, KafkaOutput> harness(
      int publishEverySteps) throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(LearnerFunction.sentences(config(dir, publishEverySteps))),
        (KeySelector<SentenceInput, String>) in -> in.modelId, Types.STRING);
  }

  private static SentenceInput input(String model, int i) {
    String positive = i == 2 ? "a cat was sitting on a mat" : null;
    String hard = i == 2 ? "no animal was anywhere near the mat" : null;
    return new SentenceInput("s" + i, model, TEXT[i % TEXT.length], positive, hard, "sentences",
        0, i, 1000L + i);
  }

  private static List<EmbeddingRecord> embeddings(List<KafkaOutput> outputs) throws Exception {
    List<EmbeddingRecord> out = new ArrayList<>();
    for (KafkaOutput o : outputs) {
      if (o.topic.equals("contraflow.embeddings")) {
        out.add(EMBEDDINGS.decode(o.value));
      }
    }
    return out;
  }

  @Test
  void fullMicroBatchIsEmbeddedAtOnceAndEverySentenceGetsATextEmbedding() throws Exception {
    try (var h = harness(1000)) {
      h.open();
      for (int i = 0; i < 3; i++) {
        h.processElement(new StreamRecord<>(input("t", i)));
      }
      assertTrue(h.extractOutputValues().isEmpty(), "3 of 4: still waiting");
      h.processElement(new StreamRecord<>(input("t", 3)));
      List<EmbeddingRecord> out = embeddings(h.extractOutputValues());
      assertEquals(List.of("s0", "s1", "s2", "s3"), out.stream().map(EmbeddingRecord::getId)
          .toList());
      for (EmbeddingRecord e : out) {
        assertEquals(Modality.TEXT, e.getModality());
        assertEquals(0, e.getModelVersion(), "embedded before its update");
        assertEquals("sentences", e.getSourceTopic());
        double norm = 0;
        for (float v : e.getVector()) {
          norm += v * v;
        }
        assertEquals(1.0, Math.sqrt(norm), 1e-4, "L2-normalised");
      }
    }
  }

  @Test
  void stepIsTheEngineFreeLearnersStepIncludingTheSupervisedRecord() throws Exception {
    List<EmbeddingRecord> out;
    try (var h = harness(1000)) {
      h.open();
      for (int i = 0; i < 8; i++) {
        h.processElement(new StreamRecord<>(input("t", i)));
      }
      out = embeddings(h.extractOutputValues());
    }
    JobConfig config = config(dir, 1000);
    Learner<SentenceExample> learner = Learner.sentences(config.sentenceLearner());
    SentenceTokenizer tokenizer =
        new SentenceTokenizer(config.sentenceLearner().tokenizer());
    List<SentenceExample> examples = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      examples.add(input("t", i).example(tokenizer));
    }
    assertTrue(examples.get(2).hardNegative() != null, "record 2 is supervised");
    // the second micro-batch is embedded by the model the first one's step left
    var direct = learner.step(learner.initialState(), Batch.of(examples.subList(0, 4)));
    List<Embedding> second = learner.embed(direct.state(), examples.subList(4, 8));
    for (int i = 0; i < 4; i++) {
      float[] expected = second.get(i).vector();
      List<Float> got = out.get(4 + i).getVector();
      for (int j = 0; j < expected.length; j++) {
        assertEquals(expected[j], got.get(j), 0f, "embedding " + (4 + i) + "[" + j + "]");
      }
    }
  }

  @Test
  void restoredOperatorContinuesExactlyLikeTheUninterruptedOne() throws Exception {
    // one step, then 2 pending with a timer at the checkpoint; steps 2 and 3 after it
    var run = ExactRestore.assertContinuesExactly(() -> harness(1000), i -> input("t", i), 6, 12,
        TIMEOUT_MS);
    assertEquals(8, run.uninterrupted().size(), "steps 2 and 3 of 4 sentences each");
    assertEquals(2, embeddings(run.restored()).get(7).getModelVersion(),
        "by step 2, before step 3");
  }

  @Test
  void publishedSentenceModelIsASentenceModelFileWithItsOwnName() throws Exception {
    try (var h = harness(1)) {
      h.open();
      for (int i = 0; i < 4; i++) {
        h.processElement(new StreamRecord<>(input("t", i)));
      }
      List<CheckpointRecord> published = new ArrayList<>();
      for (KafkaOutput o : h.extractOutputValues()) {
        if (o.topic.equals("contraflow.checkpoints")) {
          published.add(CHECKPOINTS.decode(o.value));
        }
      }
      assertEquals(1, published.size());
      CheckpointRecord c = published.get(0);
      assertEquals("SIMCSE", c.getMethod());
      assertTrue(c.getUri().endsWith("/t/t-text-v1.cfm"), c.getUri());
      assertTrue(c.getConfig().contains("\"duplicationRate\":0.32"), c.getConfig());
      byte[] file = Files.readAllBytes(Path.of(URI.create(c.getUri())));
      assertEquals(ModelPublisher.sha256(file), c.getSha256());
      ModelFile.SentenceModel model = ModelFile.readSentenceModel(Path.of(URI.create(c.getUri())));
      LearnerState state = model.state();
      assertEquals(1, state.step());
      assertEquals(8, model.config().encoder().projectionDim());
    }
  }
}
