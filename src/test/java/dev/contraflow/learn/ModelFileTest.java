package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.encoder.EncoderKind;
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
    assertEquals(-0.28290114f, m.state().momentumParams()[0]);
    assertEquals(6, m.state().queue().fill());
    assertEquals(-1028001813962170195L, m.state().rngState());
    assertEquals("golden", m.provenance().get("data"));
    assertEquals(LearnerConfig.Swav.DEFAULTS, m.config().swav(), "written before the setting");
    assertEquals(LearnerConfig.InstDisc.DEFAULTS, m.config().instDisc());
    // and the parameters still fit the network this build makes from that configuration
    new Learner(m.config()).embed(m.state(), TinyImages.images(2, 1));
  }

  @Test
  void goldenVersionTwoSentenceFileKeepsLoading() throws Exception {
    ModelFile.SentenceModel m = ModelFile.readSentenceModel(GOLDEN_SENTENCES);
    assertEquals(GoldenSentenceModelWriter.config(), m.config());
    assertEquals(2, m.state().step());
    assertEquals(6, m.state().queue().fill());
    assertEquals("golden", m.provenance().get("data"));
    assertEquals(384, m.state().encoderParams().length);
    assertEquals(0.001784282f, m.state().encoderParams()[383]);
    assertEquals(2.6842818E-4f, m.state().momentumParams()[383]);
    assertEquals(-1028001813962170195L, m.state().rngState());
    // and the parameters still fit the network this build makes from that configuration
    SentenceLearner learner = new SentenceLearner(m.config());
    learner.embed(m.state(), List.of(learner.tokenizer().tokenize("x", "a cat")));
  }

  @Test
  void goldenVersionThreeImageTextFileKeepsLoading() throws Exception {
    assertEquals(ModelFile.Modality.IMAGE_TEXT, ModelFile.modality(GOLDEN_PAIRS));
    ModelFile.PairModel m = ModelFile.readPairModel(GOLDEN_PAIRS);
    assertEquals(GoldenPairModelWriter.config(), m.config());
    assertEquals(2, m.state().step());
    assertEquals(-1028001813962170195L, m.state().rngState());
    assertEquals(508, m.state().imageParams().length);
    assertEquals(0.10890902578830719, m.state().imageParams()[0], 0.0);
    assertEquals(384, m.state().textParams().length);
    assertEquals(-0.00198667636141181, m.state().textParams()[383], 0.0);
    assertEquals(2.6572678782177492, m.state().logitScale().logScale(), 0.0);
    assertEquals("golden", m.provenance().get("data"));
    // and the parameters still fit the networks this build makes from that configuration
    PairLearner learner = new PairLearner(m.config());
    learner.embedImages(m.state(), TinyImages.images(2, 1));
    learner.embedTexts(m.state(), List.of(learner.tokenizer().tokenize("x", "a cat")));
  }

  @Test
  void imageTextModelWriteThenReadIsExact(@TempDir Path dir) throws Exception {
    PairLearner learner = new PairLearner(TinyPairs.config());
    PairLearnerState s = learner.step(learner.initialState(),
        PairBatch.trainingOnly(TinyPairs.examples(learner, 6))).state();
    Path file = dir.resolve("clip.cfm");
    ModelFile.write(file, new ModelFile.PairModel(TinyPairs.config(), s, Map.of("data", "tiny")));
    ModelFile.PairModel back = ModelFile.readPairModel(file);
    assertEquals(TinyPairs.config(), back.config());
    assertArrayEquals(PairLearnerStateCodec.toBytes(s),
        PairLearnerStateCodec.toBytes(back.state()));
    assertEquals("tiny", back.provenance().get("data"));
    // the same image and caption embed to the same vectors from the file as from the state
    PairExample e = TinyPairs.examples(learner, 1).get(0);
    PairLearner reader = new PairLearner(back.config());
    assertArrayEquals(learner.embedTexts(s, List.of(e.caption())).get(0).vector(),
        reader.embedTexts(back.state(), List.of(e.caption())).get(0).vector());
    assertArrayEquals(learner.embedImages(s, List.of(e.image())).get(0).vector(),
        reader.embedImages(back.state(), List.of(e.image())).get(0).vector());
  }

  @Test
  void singleModalityModelsAreStillWrittenAsVersionTwo(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m.cfm");
    ModelFile.write(file, new ModelFile.Model(TinyImages.config(),
        new Learner(TinyImages.config()).initialState(), Map.of()));
    assertEquals(2, ByteBuffer.wrap(Files.readAllBytes(file), 4, 4).getInt());
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
    Learner learner = new Learner(TinyImages.config());
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
    SentenceLearnerConfig config = TinySentences.config(Method.ESIMCSE, 8);
    SentenceLearner learner = new SentenceLearner(config);
    LearnerState s = learner.step(learner.initialState(),
        SentenceBatch.of(TinySentences.examples(learner, 4))).state();
    Path file = dir.resolve("s.cfm");
    ModelFile.write(file, new ModelFile.SentenceModel(config, s, Map.of("data", "tiny")));
    ModelFile.SentenceModel back = ModelFile.readSentenceModel(file);
    assertEquals(config, back.config());
    assertArrayEquals(s.encoderParams(), back.state().encoderParams());
    assertArrayEquals(s.updaterState(), back.state().updaterState());
    assertEquals("tiny", back.provenance().get("data"));
  }

  @Test
  void aModelOfTheOtherModalityIsRefusedWithTheOptionThatReadsIt(@TempDir Path dir)
      throws Exception {
    SentenceLearnerConfig config = TinySentences.config(Method.SIMCSE, 0);
    Path file = dir.resolve("s.cfm");
    ModelFile.write(file, new ModelFile.SentenceModel(config,
        new SentenceLearner(config).initialState(), Map.of()));
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
    byte[] whole = LearnerStateCodec.toBytes(new Learner(TinyImages.config()).initialState());
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length / 2);
    IOException e = assertThrows(IOException.class, () -> LearnerStateCodec.fromBytes(cut));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }
}
