package dev.contraflow.cli;

import dev.contraflow.bench.QualityBenchmark;
import dev.contraflow.io.image.ImageDecoder;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The benchmarks' {@code --data} folder, as written by scripts/fetch-fashion-mnist.sh, and the
 * encoder input its images are decoded to ({@code --input-channels} etc.; 1 x 28 x 28 as stored
 * by default).
 */
final class FashionMnistData {

  @Option(names = "--data", defaultValue = "data/fashion-mnist",
      description = "Fashion-MNIST folder (default ${DEFAULT-VALUE}).")
  Path data;

  @Mixin EncoderInputOptions encoderInput;

  /** The "train" or "t10k" split, its first {@code limit} images (0 = all). */
  QualityBenchmark.Split split(String prefix, int limit) throws IOException {
    return QualityBenchmark.load(data, prefix, limit, new ImageDecoder(encoderInput.toInput()));
  }
}
