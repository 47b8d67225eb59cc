package dev.contraflow.io.image;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** The committed Fashion-MNIST subset (src/test/resources/fashion-mnist-subset, see its README). */
final class FashionMnistSubset {

  static final int TRAIN_COUNT = 3000;
  static final int TEST_COUNT = 1000;
  static final int SIDE = 28;

  private FashionMnistSubset() {}

  static Path folder() {
    URL url = FashionMnistSubset.class.getResource("/fashion-mnist-subset");
    if (url == null) {
      throw new IllegalStateException("test resource fashion-mnist-subset is missing");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path trainImages() {
    return folder().resolve("train-images-idx3-ubyte.gz");
  }

  static Path trainLabels() {
    return folder().resolve("train-labels-idx1-ubyte.gz");
  }

  static Path testImages() {
    return folder().resolve("t10k-images-idx3-ubyte.gz");
  }

  /** Writes the uncompressed content of {@code gz} to {@code target}. */
  static void gunzip(Path gz, Path target) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      Files.copy(in, target);
    }
  }
}
