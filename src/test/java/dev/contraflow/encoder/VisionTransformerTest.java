package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The VIT encoder: MoCo v3's small vision transformer, written on ND4J ops like the GEMM kinds. */
class VisionTransformerTest {

  private static final OptimizerConfig SGD = new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.1,
      0, 0);

  /** w = 2: tokens of D = 8 values, one head; 8x8 images give P = 4 patches. */
  private static EncoderConfig vit(int blocks, int size, int hidden) {
    return new EncoderConfig(EncoderKind.VIT, 1, size, size, 2, blocks, hidden, 4, 7L);
  }

  @Test
  void vitGradientsMatchFiniteDifferences() {
    // two blocks: the second's input gradient flows through the residual stream into the first
    GemmEncoderTest.assertGradientMatchesFiniteDifferences(vit(2, 8, 8), 0, 0);
    GemmEncoderTest.assertGradientMatchesFiniteDifferences(
        new EncoderConfig(EncoderKind.VIT, 3, 8, 12, 2, 1, 8, 4, 7L), 6, 0); // MoCo v3's heads
  }

  @Test
  void parameterCountIsTheHandCountWithoutThePatchProjection() {
    int w = 32;
    long d = 4L * w;
    long layerNorm = 2 * d;
    long block = layerNorm + (d * 3 * d + 3 * d) + (d * d + d) + layerNorm + (d * 4 * d + 4 * d)
        + (4 * d * d + d);
    long head = (d * 512 + 512) + (512L * 128 + 128);
    for (int blocks = 1; blocks <= 2; blocks++) {
      assertEquals(blocks * block + layerNorm + head, Encoder.create(new EncoderConfig(
          EncoderKind.VIT, 1, 28, 28, w, blocks, 512, 128, 1L), SGD).numParams(),
          "the 16 x 128 patch projection is frozen, so no parameter");
    }
  }

  @Test
  void thePatchProjectionStaysAtItsRandomInitialisationWhileTheRestTrains() {
    EncoderConfig c = vit(1, 8, 8);
    Encoder e = Encoder.create(c, SGD);
    INDArray x = GemmEncoderTest.images(4, 1, 8, 8, 3L, DataType.FLOAT);
    float[] before = e.params();
    for (int step = 0; step < 3; step++) {
      e.backwardAndUpdate(e.forwardForTraining(x).projection().dup(), step);
    }
    assertFalse(Arrays.equals(before, e.params()), "the blocks and the head train");
    // a fresh encoder given the trained parameters embeds exactly alike: nothing else changed
    Encoder copy = Encoder.create(c, SGD);
    copy.loadParams(e.params());
    assertEquals(e.infer(x).representation(), copy.infer(x).representation());
    // another seed draws another projection (and other parameters): loaded with the same
    // parameters, its embeddings differ
    Encoder otherSeed = Encoder.create(new EncoderConfig(EncoderKind.VIT, 1, 8, 8, 2, 1, 8, 4, 8L),
        SGD);
    otherSeed.loadParams(e.params());
    assertFalse(e.infer(x).representation().equalsWithEps(otherSeed.infer(x).representation(),
        1e-6));
  }

  @Test
  void anExamplesRepresentationDoesNotDependOnItsBatch() {
    Encoder e = Encoder.create(vit(1, 8, 8), SGD);
    INDArray x = GemmEncoderTest.images(4, 1, 8, 8, 5L, DataType.FLOAT);
    INDArray alone = e.infer(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 3)))
        .representation();
    INDArray inBatch = e.infer(x).representation().getRow(2, true);
    assertTrue(alone.equalsWithEps(inBatch, 1e-6), alone + " vs " + inBatch);
  }

  @Test
  void positionEmbeddingIsMocoV3sSinCosOfColumnThenRow() {
    // 2 x 3 patches, D = 8: quarters sin(c w), cos(c w), sin(r w), cos(r w), w = 1, 1/100
    double[] e = FrozenPatchEmbedding.sinCosPositions(2, 3, 8);
    int token = 1 * 3 + 2; // row 1, column 2
    double[] expected = {Math.sin(2), Math.sin(0.02), Math.cos(2), Math.cos(0.02), Math.sin(1),
        Math.sin(0.01), Math.cos(1), Math.cos(0.01)};
    assertArrayEquals(expected, Arrays.copyOfRange(e, token * 8, token * 8 + 8), 1e-12);
  }

  @Test
  void refusesImagesThatAreNotWholePatches() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new EncoderConfig(EncoderKind.VIT, 1, 30, 28, 0, 1, 512, 128, 7L));
    assertTrue(e.getMessage().contains("multiples of 4 for VIT") && e.getMessage().contains("30x28"),
        e.getMessage());
  }

  @Test
  void flopsCountThePatchProjectionAndEachBlock() {
    EncoderConfig c = new EncoderConfig(EncoderKind.VIT, 1, 28, 28, 32, 1, 512, 128, 1L);
    long p = 49;
    long d = 128;
    long block = p * 2 * (d * 3 * d + d * d + 2 * d * 4 * d) + 4 * p * p * d;
    long head = 2 * (d * 512 + 512L * 128);
    assertEquals(p * 2 * 16 * d + block + head, EncoderFlops.forward(c));
  }
}
