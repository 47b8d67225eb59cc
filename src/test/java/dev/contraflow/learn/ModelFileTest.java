package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.learn.method.CpcStep;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {

  private static final Path GOLDEN = Path.of("src/test/resources/golden/model-v1.cfm");
  private static final Path GOLDEN_SENTENCES =
      Path.of("src/test/resources/golden/sentence-model-v2.cfm");
  private static final Path GOLDEN_PAIRS = Path.of("src/test/resources/golden/pair-model-v3.cfm");

  @Test
  void goldenVersionOneFileKeepsLoading() throws Exception {
    ModelFile.Model m = ModelFile.read(GOLDEN);
    assertEquals(Method.MOCO, m.config().method());
    assertEquals(EncoderKind.CNN, m.config().encoder().kind());
    assertEquals(12, m.config().encoder().height());
    assertEquals(6, m.config().queueSize());
    assertEquals(2, m.state().step());
    assertEquals(508, m.state().encoderParams().length);
    assertEquals(-0.28161865f, m.state().encoderParams()[0]);
    assertEquals(-0.28290114f, m.state().network(LearnerState.MOMENTUM).params()[0]);
    assertEquals(6, m.state().queue().fill());
    assertEquals(-1028001813962170195L, m.state().rngState());
    assertEquals("golden", m.provenance().get("data"));
    assertEquals(LearnerConfig.Swav.DEFAULTS, m.config().swav(), "written before the setting");
    assertEquals(LearnerConfig.InstDisc.DEFAULTS, m.config().instDisc());
    // and the parameters still fit the network this build makes from that configuration
    Learner.images(m.config()).embed(m.state(), TinyImages.images(2, 1));
  }

  @Test
  void goldenVersionTwoSentenceFileKeepsLoading() throws Exception {
    ModelFile.SentenceModel m = ModelFile.readSentenceModel(GOLDEN_SENTENCES);
    assertEquals(GoldenSentenceModelWriter.config(), m.config());
    assertEquals(SentenceLearnerConfig.Cpc.DEFAULTS, m.config().cpc(), "written before CPC");
    assertEquals(2, m.state().step());
    assertEquals(6, m.state().queue().fill());
    assertEquals("golden", m.provenance().get("data"));
    assertEquals(384, m.state().encoderParams().length);
    assertEquals(0.001784282f, m.state().encoderParams()[383]);
    assertEquals(2.6842818E-4f, m.state().network(LearnerState.MOMENTUM).params()[383]);
    assertEquals(-1028001813962170195L, m.state().rngState());
    // and the parameters still fit the network this build makes from that configuration
    Learner<SentenceExample> learner = Learner.sentences(m.config());
    learner.embed(m.state(), List.of(SentenceExample.of(
        new SentenceTokenizer(m.config().tokenizer()).tokenize("x", "a cat"))));
  }

  @Test
  void goldenVersionThreeImageTextFileKeepsLoading() throws Exception {
    assertEquals(ModelFile.Modality.IMAGE_TEXT, ModelFile.modality(GOLDEN_PAIRS));
    ModelFile.PairModel m = ModelFile.readPairModel(GOLDEN_PAIRS);
    assertEquals(GoldenPairModelWriter.config(), m.config());
    assertEquals(2, m.state().step());
    assertEquals(-1028001813962170195L, m.state().rngState());
    assertEquals(508, m.state().network(LearnerState.ONLINE).params().length);
    assertEquals(0.10890902578830719, m.state().network(LearnerState.ONLINE).params()[0], 0.0);
    assertEquals(384, m.state().network(LearnerState.TEXT).params().length);
    assertEquals(-0.00198667636141181, m.state().network(LearnerState.TEXT).params()[383], 0.0);
    assertEquals(2.6572678782177492, m.state().logitScale().logScale(), 0.0);
    assertEquals("golden", m.provenance().get("data"));
    // and the parameters still fit the networks this build makes from that configuration
    Learner<PairExample> learner = Learner.pairs(m.config());
    learner.embed(m.state(), List.of(PairExample.ofImage(TinyImages.images(1, 1).get(0)),
        PairExample.ofCaption(
            new SentenceTokenizer(m.config().tokenizer()).tokenize("x", "a cat"))));
  }

  @Test
  void imageTextModelWriteThenReadIsExact(@TempDir Path dir) throws Exception {
    Learner<PairExample> learner = Learner.pairs(TinyPairs.config());
    LearnerState s = learner.step(learner.initialState(),
        Batch.trainingOnly(TinyPairs.examples(6))).state();
    Path file = dir.resolve("clip.cfm");
    ModelFile.write(file, new ModelFile.PairModel(TinyPairs.config(), s, Map.of("data", "tiny")));
    ModelFile.PairModel back = ModelFile.readPairModel(file);
    assertEquals(TinyPairs.config(), back.config());
    assertArrayEquals(LearnerStateCodec.toBytes(s),
        LearnerStateCodec.toBytes(back.state()));
    assertEquals("tiny", back.provenance().get("data"));
    // the same image and caption embed to the same vectors from the file as from the state
    PairExample e = TinyPairs.examples(1).get(0);
    Learner<PairExample> reader = Learner.pairs(back.config());
    List<Embedding> fromState = learner.embed(s, List.of(e));
    List<Embedding> fromFile = reader.embed(back.state(), List.of(e));
    assertEquals(2, fromFile.size(), "the image and the caption");
    for (int i = 0; i < 2; i++) {
      assertArrayEquals(fromState.get(i).vector(), fromFile.get(i).vector());
    }
  }

  @Test
  void everyModalityIsWrittenAsVersionFour(@TempDir Path dir) throws Exception {
    // the state block is the one frame's codec, which builds before version 4 cannot read
    Path file = dir.resolve("m.cfm");
    ModelFile.write(file, new ModelFile.Model(TinyImages.config(),
        Learner.images(TinyImages.config()).initialState(), Map.of()));
    assertEquals(4, ByteBuffer.wrap(Files.readAllBytes(file), 4, 4).getInt());
    assertEquals(ModelFile.Modality.IMAGE, ModelFile.modality(file));
  }

  @Test
  void anImageTextModelIsRefusedByTheSingleModalityReaders() {
    IOException e = assertThrows(IOException.class, () -> ModelFile.read(GOLDEN_PAIRS));
    assertTrue(e.getMessage().contains("holds an image-text (CLIP) model, not an image model"),
        e.getMessage());
    IOException f = assertThrows(IOException.class, () -> ModelFile.readPairModel(GOLDEN));
    assertTrue(f.getMessage().contains("holds an image model, not an image-text model (use"
        + " --images)"), f.getMessage());
  }

  @Test
  void writeThenReadIsExact(@TempDir Path dir) throws Exception {
    Learner<Image> learner = Learner.images(TinyImages.config());
    LearnerState s = learner.step(learner.initialState(), Batch.of(TinyImages.images(6, 9))).state();
    Path file = dir.resolve("m.cfm");
    ModelFile.write(file, new ModelFile.Model(TinyImages.config(), s, Map.of("note", "a\nb")));
    ModelFile.Model back = ModelFile.read(file);
    assertEquals(TinyImages.config(), back.config());
    assertArrayEquals(s.encoderParams(), back.state().encoderParams());
    assertArrayEquals(s.queue().keys(), back.state().queue().keys());
    assertEquals("a\nb", back.provenance().get("note"));
  }

  @Test
  void sentenceModelWriteThenReadIsExact(@TempDir Path dir) throws Exception {
    assertSentenceModelWriteThenReadIsExact(dir, TinySentences.config(Method.ESIMCSE, 8));
  }

  @Test
  void aHashedBagModelKeepsItsKindAndRowWiseAdagradState(@TempDir Path dir) throws Exception {
    assertSentenceModelWriteThenReadIsExact(dir, TinySentences.hashedBag(Method.ESIMCSE, 8,
        dev.contraflow.encoder.OptimizerConfig.Kind.ADAGRAD));
  }

  private static void assertSentenceModelWriteThenReadIsExact(Path dir,
      SentenceLearnerConfig config) throws Exception {
    Learner<SentenceExample> learner = Learner.sentences(config);
    LearnerState s = learner.step(learner.initialState(),
        Batch.of(TinySentences.examples(4))).state();
    Path file = dir.resolve("s.cfm");
    ModelFile.write(file, new ModelFile.SentenceModel(config, s, Map.of("data", "tiny")));
    ModelFile.SentenceModel back = ModelFile.readSentenceModel(file);
    assertEquals(config, back.config());
    assertArrayEquals(s.encoderParams(), back.state().encoderParams());
    assertArrayEquals(s.network(LearnerState.ONLINE).updaterState(),
        back.state().network(LearnerState.ONLINE).updaterState());
    assertEquals("tiny", back.provenance().get("data"));
  }

  @Test
  void aModelOfTheOtherModalityIsRefusedWithTheOptionThatReadsIt(@TempDir Path dir)
      throws Exception {
    SentenceLearnerConfig config = TinySentences.config(Method.SIMCSE, 0);
    Path file = dir.resolve("s.cfm");
    ModelFile.write(file, new ModelFile.SentenceModel(config,
        Learner.sentences(config).initialState(), Map.of()));
    IOException e = assertThrows(IOException.class, () -> ModelFile.read(file));
    assertTrue(e.getMessage().contains("holds a sentence model, not an image model (use --sentences)"),
        e.getMessage());
    IOException f = assertThrows(IOException.class, () -> ModelFile.readSentenceModel(GOLDEN));
    assertTrue(f.getMessage().contains("not a sentence model (use --images)"), f.getMessage());
  }

  @Test
  void unknownFormatVersionIsRefusedClearly(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("future.cfm");
    Files.write(file, ByteBuffer.allocate(8).putInt(ModelFile.MAGIC).putInt(99).array());
    IOException e = assertThrows(IOException.class, () -> ModelFile.read(file));
    assertTrue(e.getMessage().contains("model format version 99 is not supported"), e.getMessage());
  }

  @Test
  void truncatedStateIsRefusedClearly() throws Exception {
    byte[] whole = LearnerStateCodec.toBytes(Learner.images(TinyImages.config()).initialState());
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length / 2);
    IOException e = assertThrows(IOException.class, () -> LearnerStateCodec.fromBytes(cut));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void versionFourWritesOneJsonHeaderOfModalityConfigAndProvenance() throws Exception {
    SentenceLearnerConfig config = GoldenSentenceModelWriter.config();
    byte[] bytes = ModelFile.toBytes(new ModelFile.SentenceModel(config,
        Learner.sentences(config).initialState(), Map.of("data", "tiny")));
    JsonNode header = new ObjectMapper().readTree(header(bytes));
    assertEquals("SENTENCE", header.get("modality").asText());
    assertEquals("ESIMCSE", header.at("/config/method").asText());
    assertEquals(0.5, header.at("/config/deletionRate").asDouble(), 0.0);
    assertEquals(8, header.at("/config/tokenizer/maxTokens").asInt());
    assertEquals("tiny", header.at("/provenance/data").asText());
    assertEquals(config,
        ModelFile.readSentenceModel(new java.io.ByteArrayInputStream(bytes)).config());
  }

  @Test
  void anInvalidConfigurationInTheHeaderIsRefusedWithTheField() throws Exception {
    byte[] bytes = ModelFile.toBytes(new ModelFile.Model(TinyImages.config(),
        Learner.images(TinyImages.config()).initialState(), Map.of()));
    String header = new String(header(bytes), java.nio.charset.StandardCharsets.UTF_8);
    byte[] tampered = withHeader(bytes, header.replace("\"batchSize\":6", "\"batchSize\":0")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    IOException e = assertThrows(IOException.class, () -> ModelFile.fromBytes(tampered));
    assertTrue(e.getMessage().contains("model configuration is invalid")
        && e.getMessage().contains("batchSize"), e.getMessage());
  }

  /**
   * A CPC model carries K, R, dc, S and Q: a file written from a learner with other settings
   * than the defaults reloads to the same CpcConfig, and the learner built from the reloaded
   * settings holds the state's g_ar and W_k shapes and its queue.
   */
  @Test
  void aCpcModelReloadsWithItsOwnSettings() throws Exception {
    CpcConfig cpc = new CpcConfig(TinySentences.config(Method.CPC, 0), 2, 4, 6, 9, 12);
    LearnerState s = Learner.cpc(cpc).initialState();
    byte[] bytes = ModelFile.toBytes(new ModelFile.SentenceModel(cpc.sentences(), s, Map.of()));
    SentenceLearnerConfig back =
        ModelFile.readSentenceModel(new java.io.ByteArrayInputStream(bytes)).config();
    assertEquals(new SentenceLearnerConfig.Cpc(2, 4, 6, 9, 12), back.cpc());
    assertEquals(cpc, CpcConfig.of(back));
    assertEquals(s.network(CpcStep.CONTEXT).params().length,
        Learner.sentences(back).initialState().network(CpcStep.CONTEXT).params().length);
    assertEquals(12, Learner.sentences(back).initialState().queue().capacity());
  }

  /** A CPC file from before the queue (its cpc block without queueSize) trained without one. */
  @Test
  void aCpcModelFromBeforeTheQueueReadsWithoutOne() throws Exception {
    assertEquals(0, cpcModelWithout("/config/cpc", "queueSize").cpc().queueSize());
  }

  /** A version 4 CPC file from before CPC's settings were written reads with the defaults. */
  @Test
  void aCpcModelWithoutItsSettingsReadsWithTheDefaults() throws Exception {
    SentenceLearnerConfig back = cpcModelWithout("/config", "cpc");
    assertEquals(SentenceLearnerConfig.Cpc.DEFAULTS, back.cpc());
    CpcConfig cpc = CpcConfig.of(back);
    assertEquals(List.of(3, 3, 8, 256), List.of(cpc.predictionSteps(), cpc.contextKernel(),
        cpc.contextDim(), cpc.windowSequences()));
  }

  /**
   * A tiny CPC model's file read back after {@code field} was taken out of the header's object
   * at {@code parent} (a JSON pointer): a file written before that setting existed.
   */
  private static SentenceLearnerConfig cpcModelWithout(String parent, String field)
      throws Exception {
    SentenceLearnerConfig config = TinySentences.config(Method.CPC, 0);
    byte[] bytes = ModelFile.toBytes(new ModelFile.SentenceModel(config,
        Learner.sentences(config).initialState(), Map.of()));
    ObjectMapper json = new ObjectMapper();
    com.fasterxml.jackson.databind.JsonNode header = json.readTree(header(bytes));
    assertTrue(header.at(parent).has(field), "written today: " + parent + "/" + field);
    ((com.fasterxml.jackson.databind.node.ObjectNode) header.at(parent)).remove(field);
    return ModelFile.readSentenceModel(new java.io.ByteArrayInputStream(
        withHeader(bytes, json.writeValueAsBytes(header)))).config();
  }

  /** A version 4 model file with its JSON header replaced. */
  private static byte[] withHeader(byte[] file, byte[] header) throws IOException {
    int old = header(file).length;
    return ByteBuffer.allocate(file.length - old + header.length).putInt(ModelFile.MAGIC)
        .putInt(ModelFile.CURRENT_VERSION).putInt(header.length).put(header)
        .put(file, 12 + old, file.length - 12 - old).array();
  }

  /** The JSON header block of a version 4 model file. */
  private static byte[] header(byte[] file) throws IOException {
    java.io.DataInputStream in = new java.io.DataInputStream(
        new java.io.ByteArrayInputStream(file));
    assertEquals(ModelFile.MAGIC, in.readInt());
    assertEquals(4, in.readInt(), "written as version 4");
    byte[] header = new byte[in.readInt()];
    in.readFully(header);
    return header;
  }
}
