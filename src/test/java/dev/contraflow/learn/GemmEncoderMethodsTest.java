package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.io.image.Image;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every image method runs on the hand-written GEMM encoder: its heads, determinism, learning. */
class GemmEncoderMethodsTest {

  private static LearnerConfig config(Method method) {
    LearnerConfig c = ImageMethodsTest.config(method);
    return c.withEncoder(c.encoder().withKind(EncoderKind.GEMM_CNN));
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"MOCO", "SIMCLR", "MOCO_V3", "BYOL", "SIMSIAM",
      "INSTDISC", "SWAV", "DINO", "CMC"})
  void sameStateAndBatchGiveByteIdenticalStatesOnTheGemmEncoder(Method method) {
    List<Batch<Image>> two = TinyImages.batches(TinyImages.images(12, 1), 6);
    Learner<Image> learner = Learner.images(config(method));
    LearnerState s1 = learner.step(learner.step(learner.initialState(), two.get(0)).state(),
        two.get(1)).state();
    byte[] once = LearnerStateCodec.toBytes(learner.step(s1, two.get(0)).state());
    byte[] elsewhere = LearnerStateCodec.toBytes(Learner.images(config(method)).step(s1, two.get(0))
        .state());
    assertArrayEquals(once, elsewhere);
    assertFalse(Arrays.equals(s1.encoderParams(), learner.step(s1, two.get(0)).state()
        .encoderParams()), "a step must train");
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"MOCO", "SIMCLR", "SWAV"})
  void methodsLowerTheirLossOnARepeatedTinySetOnTheGemmEncoder(Method method) {
    ImageMethodsTest.assertLossFallsOnARepeatedTinySet(config(method));
  }
}
