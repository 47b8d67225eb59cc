package dev.contraflow.cli;

import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.ImageSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Where images come from: an IDX file, a folder of PNG/JPEG files, or a Fashion-MNIST folder. */
final class ImageInputOptions {

  @Option(names = "--images",
      description = "IDX images file (.gz ok), a folder of PNG/JPEG files, or a Fashion-MNIST folder.")
  Path images;

  @Option(names = "--limit", defaultValue = "0",
      description = "Use only the first N images or sentences (0 = all).")
  int limit;

  @Option(names = "--max-pixels", defaultValue = "" + ImageDecoder.DEFAULT_MAX_PIXELS,
      description = "Reject encoded images with more pixels than this (default ${DEFAULT-VALUE}).")
  long maxPixels;

  List<Image> load() throws IOException {
    if (limit < 0) {
      throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
    }
    List<Image> loaded = ImageSource.load(images, limit, new ImageDecoder(maxPixels));
    if (loaded.isEmpty()) {
      throw new IllegalArgumentException("no images found in " + images);
    }
    System.err.printf("loaded %d images from %s%n", loaded.size(), images);
    return loaded;
  }
}
