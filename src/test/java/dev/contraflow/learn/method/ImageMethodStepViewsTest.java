package dev.contraflow.learn.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.augment.ImageViews;
import dev.contraflow.augment.Rng;
import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.encoder.FixedRanges;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.io.image.Image;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A batch's views are augmented over record ranges shared by the cores: each record's views are
 * still the ones its own split of the learner's stream gives, drawn in record order, as one thread
 * augmenting record after record made them.
 */
class ImageMethodStepViewsTest {

  private static final int SIZE = 28;
  /** Enough records that the views are shared over threads. */
  private static final int N = 64;

  private static LearnerConfig config(Method method) {
    EncoderConfig e = new EncoderConfig(EncoderKind.GEMM_MLP, 1, SIZE, SIZE, 4, 1, 16, 8, 11L);
    return new LearnerConfig(method, e, new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.05, 0.9,
        1e-4), 20, 0.2, MomentumUpdate.constant(0.9), 0.3, N, 5L);
  }

  private static List<Image> images() {
    Rng rng = new Rng(8);
    List<Image> out = new ArrayList<>(N);
    for (int i = 0; i < N; i++) {
      float[] px = new float[SIZE * SIZE];
      for (int p = 0; p < px.length; p++) {
        px[p] = rng.nextFloat();
      }
      out.add(new Image("img-" + i, 1, SIZE, SIZE, px));
    }
    return out;
  }

  @Test
  void sharedViewsAreEachRecordsOwnSplitsViewsInRecordOrder() {
    LearnerConfig config = config(Method.MOCO);
    assertTrue((long) N * 2 * SIZE * SIZE >= FixedRanges.MIN_PARALLEL_VALUES, "shared");
    List<Image> images = images();
    Rng stream = new Rng(42);
    float[][][] views = ImageMethodStep.of(config).views(images, stream);

    ImageViews recipe = ImageViews.mocoV2(SIZE, SIZE, config.cropScaleMin());
    Rng serial = new Rng(42);
    for (int i = 0; i < N; i++) {
      Image[] two = recipe.twoViews(images.get(i), serial.split());
      assertArrayEquals(two[0].pixels(), views[0][i], "query view of record " + i);
      assertArrayEquals(two[1].pixels(), views[1][i], "key view of record " + i);
    }
    assertEquals(serial.nextLong(), stream.nextLong(), "the stream continues where it would");
  }

  @Test
  void cmcsViewsAreTheSameEveryTime() {
    ImageMethodStep step = ImageMethodStep.of(config(Method.CMC));
    List<Image> images = images();
    float[][][] first = step.views(images, new Rng(42));
    for (int run = 0; run < 5; run++) {
      float[][][] again = step.views(images, new Rng(42));
      for (int v = 0; v < first.length; v++) {
        for (int i = 0; i < N; i++) {
          assertArrayEquals(first[v][i], again[v][i], "view " + v + " of record " + i);
        }
      }
    }
  }
}
