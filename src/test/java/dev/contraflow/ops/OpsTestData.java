package dev.contraflow.ops;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** What the cluster tests (ClusterSubmissionIT, FaultInjectionIT) feed and clean up alike. */
final class OpsTestData {

  /** The side of the square images both tests stream. */
  static final int SIDE = 28;

  private OpsTestData() {
  }

  /** A 28x28 grey image with one bright column and one lighter row: distinct ids, cheap to make. */
  static byte[] barImage(int column, int row) {
    byte[] pixels = new byte[SIDE * SIDE];  // row-major, one channel
    for (int k = 0; k < SIDE; k++) {
      pixels[k * SIDE + column] = (byte) 255;
      pixels[row * SIDE + k] = (byte) 200;
    }
    return pixels;
  }

  /** The remaining bytes of {@code buffer}, copied. */
  static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  /** Deletes {@code dir} and everything under it; nothing when it does not exist. */
  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
