package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.io.image.IdxReader;
import dev.contraflow.io.image.Image;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MoCo v3 with a ViT (Chen, Xie and He 2021): the MOCO_V3 step on the VIT encoder, under the
 * learner's contracts - determinism, restore, model file, learning.
 */
class VitMethodsTest {

  /** TinyImages' MoCo v3 on 12x12 images: 9 patches of D = 16 values, one block. */
  private static LearnerConfig config() {
    LearnerConfig c = ImageMethodsTest.config(Method.MOCO_V3);
    return c.withEncoder(c.encoder().withKind(EncoderKind.VIT));
  }

  private static LearnerState run(Learner<Image> learner, LearnerState state,
      List<Batch<Image>> batches) {
    for (Batch<Image> b : batches) {
      state = learner.step(state, b).state();
    }
    return state;
  }

  @Test
  void sameStateAndBatchGiveByteIdenticalStatesWhoeverSteps() {
    List<Batch<Image>> two = TinyImages.batches(TinyImages.images(12, 1), 6);
    Learner<Image> learner = Learner.images(config());
    LearnerState s1 = run(learner, learner.initialState(), two);
    byte[] once = LearnerStateCodec.toBytes(learner.step(s1, two.get(0)).state());
    byte[] elsewhere = LearnerStateCodec.toBytes(Learner.images(config()).step(s1, two.get(0))
        .state());
    assertArrayEquals(once, elsewhere);
    assertFalse(Arrays.equals(s1.encoderParams(), learner.step(s1, two.get(0)).state()
        .encoderParams()), "a step must train");
  }

  @Test
  void restoredFromBytesMidStreamContinuesExactlyLikeAnUninterruptedRun() throws Exception {
    List<Batch<Image>> batches = TinyImages.batches(TinyImages.images(30, 2), 6);
    Learner<Image> uninterrupted = Learner.images(config());
    byte[] expected = LearnerStateCodec.toBytes(
        run(uninterrupted, uninterrupted.initialState(), batches));
    Learner<Image> first = Learner.images(config());
    byte[] half = LearnerStateCodec.toBytes(
        run(first, first.initialState(), batches.subList(0, 3)));
    Learner<Image> resumed = Learner.images(config()); // a fresh process, as after a failure
    assertArrayEquals(expected, LearnerStateCodec.toBytes(
        run(resumed, LearnerStateCodec.fromBytes(half), batches.subList(3, batches.size()))));
  }

  @Test
  void modelFileKeepsTheEncoderKindAndGivesTheSameEmbeddings(@TempDir Path dir)
      throws Exception {
    Learner<Image> learner = Learner.images(config());
    List<Image> images = TinyImages.images(6, 9);
    LearnerState s = learner.step(learner.initialState(), Batch.of(images)).state();
    Path file = dir.resolve("m.cfm");
    ModelFile.write(file, new ModelFile.Model(config(), s, Map.of("data", "tiny")));
    ModelFile.Model back = ModelFile.read(file);
    assertEquals(EncoderKind.VIT, back.config().encoder().kind());
    assertEquals(config(), back.config());
    // the frozen patch projection is no parameter: the config's seed rebuilds it
    float[][] before = learner.embedAll(s, images);
    float[][] after = Learner.images(back.config()).embedAll(back.state(), images);
    for (int i = 0; i < images.size(); i++) {
      assertArrayEquals(before[i], after[i], "embedding " + i);
    }
  }

  /**
   * 32 Fashion-MNIST images at 28x28 (49 patches), seen 15 times in batches of 8: the mean loss of
   * the last 12 steps is below that of the first 12. (TinyImages' single bright square falls in
   * at most four of nine patches, too little for a ViT's tokens: its loss there only wanders.)
   */
  @Test
  void mocoV3OnAVitLowersItsLossOnRepeatedFashionMnistImages() throws Exception {
    List<Image> images = IdxReader.readImages(Path.of(VitMethodsTest.class.getResource(
        "/fashion-mnist-subset/train-images-idx3-ubyte.gz").toURI()), 32);
    EncoderConfig e = config().encoder();
    Learner<Image> learner = Learner.images(config().withEncoder(new EncoderConfig(
        EncoderKind.VIT, 1, 28, 28, e.baseWidth(), 1, e.projectionHidden(), e.projectionDim(),
        e.seed())));
    List<Batch<Image>> batches = TinyImages.batches(images, 8);
    LearnerState s = learner.initialState();
    double[] losses = new double[60];
    for (int i = 0; i < losses.length; i++) {
      StepResult r = learner.step(s, batches.get(i % batches.size()));
      s = r.state();
      losses[i] = r.metrics().loss();
    }
    double early = Arrays.stream(losses, 0, 12).average().orElseThrow();
    double late = Arrays.stream(losses, 48, 60).average().orElseThrow();
    System.out.printf("MOCO_V3/VIT loss %.4f -> %.4f%n", early, late);
    assertTrue(late < early - 0.1, "loss " + early + " -> " + late);
  }
}
