package dev.contraflow.job.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.Modality;
import dev.contraflow.io.image.IdxReader;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.decode.PairInput;
import dev.contraflow.job.sink.KafkaOutput;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.LearnerStateCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLIP learner operator under Flink's test harness: two embeddings a pair, exact restore. */
class PairLearnerFunctionTest {

  private static final long TIMEOUT_MS = 1000;
  private static final RecordCodec<EmbeddingRecord> EMBEDDINGS =
      RecordCodec.singleObject(EmbeddingRecord.class);
  private static List<Image> images;

  @TempDir
  Path dir;

  @BeforeAll
  static void loadImages() throws Exception {
    images = IdxReader.readImages(Path.of(PairLearnerFunctionTest.class.getResource(
        "/fashion-mnist-subset/train-images-idx3-ubyte.gz").toURI()), 12);
  }

  private KeyedOneInputStreamOperatorTestHarness<String, PairInput, KafkaOutput> harness()
      throws Exception {
    JobConfig config = JobConfigLoader.defaults(List.of("pairLearner.image.kind=MLP",
        "pairLearner.image.baseWidth=4", "pairLearner.text.width=8",
        "pairLearner.image.projectionHidden=16", "pairLearner.text.projectionHidden=16",
        "pairLearner.image.projectionDim=8", "pairLearner.text.projectionDim=8",
        "pairLearner.batchSize=4", "pairLearner.tokenizer.buckets=512",
        "job.batchTimeout=" + TIMEOUT_MS + "ms", "publish.everySteps=1000",
        "publish.modelStore=" + dir.resolve("models").toUri()));
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(LearnerFunction.pairs(config)),
        (KeySelector<PairInput, String>) in -> in.modelId, Types.STRING);
  }

  private static StreamRecord<PairInput> pair(int i) {
    return new StreamRecord<>(new PairInput("m", images.get(i), "item number " + i, "pairs", 0,
        i, 0));
  }

  private static List<EmbeddingRecord> embeddings(List<KafkaOutput> outputs) throws Exception {
    List<EmbeddingRecord> out = new ArrayList<>();
    for (KafkaOutput o : outputs) {
      out.add(EMBEDDINGS.decode(o.value));
    }
    return out;
  }

  @Test
  void everyPairGetsAnImageAndACaptionEmbeddingInOneSpace() throws Exception {
    try (var h = harness()) {
      h.open();
      for (int i = 0; i < 4; i++) {
        h.processElement(pair(i));
      }
      List<EmbeddingRecord> out = embeddings(h.extractOutputValues());
      assertEquals(List.of("0#image", "0#text", "1#image", "1#text", "2#image", "2#text",
          "3#image", "3#text"), out.stream().map(EmbeddingRecord::getId).toList());
      for (int i = 0; i < out.size(); i++) {
        assertEquals(i % 2 == 0 ? Modality.IMAGE : Modality.TEXT, out.get(i).getModality());
        assertEquals(i / 2, out.get(i).getSourceOffset());
        assertEquals(8, out.get(i).getDim());
      }
    }
  }

  @Test
  void restoredOperatorContinuesExactlyLikeTheUninterruptedOne() throws Exception {
    // one step, then 2 pending with a timer at the checkpoint; steps 2 and 3 after it
    var run = ExactRestore.assertContinuesExactly(this::harness, i -> pair(i).getValue(), 6, 12,
        TIMEOUT_MS);
    assertEquals(16, run.uninterrupted().size(), "steps 2 and 3, two embeddings a pair");
  }

  @Test
  void stateSerializerRoundTripsThePairState() throws Exception {
    var learner = Learner.pairs(JobConfigLoader.defaults(List.of(
        "pairLearner.image.kind=MLP", "pairLearner.image.baseWidth=4", "pairLearner.text.width=8",
        "pairLearner.image.projectionHidden=16", "pairLearner.text.projectionHidden=16",
        "pairLearner.image.projectionDim=8", "pairLearner.text.projectionDim=8",
        "pairLearner.tokenizer.buckets=512"))
        .pairLearner());
    LearnerState s = learner.initialState();
    var out = new DataOutputSerializer(1024);
    PairLearnerStateSerializer.INSTANCE.serialize(s, out);
    LearnerState back = PairLearnerStateSerializer.INSTANCE.deserialize(
        new DataInputDeserializer(out.getCopyOfBuffer()));
    assertArrayEquals(LearnerStateCodec.toBytes(s),
        LearnerStateCodec.toBytes(back));
  }
}
