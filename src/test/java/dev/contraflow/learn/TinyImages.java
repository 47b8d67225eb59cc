package dev.contraflow.learn;

import dev.contraflow.augment.Rng;
import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.io.image.Image;
import java.util.ArrayList;
import java.util.List;

/** Small synthetic images and a tiny learner configuration, so learner tests take milliseconds. */
final class TinyImages {

  static final int SIZE = 12;

  private TinyImages() {}

  /** A tiny MoCo: CNN of width 4, head 16 -> 8, K = 20 (not a multiple of the batch), B = 6. */
  static LearnerConfig config() {
    EncoderConfig e = new EncoderConfig(EncoderKind.CNN, 1, SIZE, SIZE, 4, 1, 16, 8, 11L);
    return new LearnerConfig(Method.MOCO, e, new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.05,
        0.9, 1e-4), 20, 0.2, MomentumUpdate.constant(0.9), 0.3, 6, 5L);
  }

  /** n images: a bright square at a position that depends on the index, plus noise. */
  static List<Image> images(int n, long seed) {
    Rng rng = new Rng(seed);
    List<Image> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] px = new float[SIZE * SIZE];
      int y0 = (i * 3) % (SIZE - 4);
      int x0 = (i * 5) % (SIZE - 4);
      for (int p = 0; p < px.length; p++) {
        px[p] = 0.1f * rng.nextFloat();
      }
      for (int y = y0; y < y0 + 4; y++) {
        for (int x = x0; x < x0 + 4; x++) {
          px[y * SIZE + x] = 0.9f;
        }
      }
      out.add(new Image("img-" + i, 1, SIZE, SIZE, px));
    }
    return out;
  }

  /** Consecutive batches of the given size (the last may be smaller). */
  static List<Batch<Image>> batches(List<Image> images, int size) {
    List<Batch<Image>> out = new ArrayList<>();
    for (int i = 0; i < images.size(); i += size) {
      out.add(Batch.of(images.subList(i, Math.min(images.size(), i + size))));
    }
    return out;
  }
}
