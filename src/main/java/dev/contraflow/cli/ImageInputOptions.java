package dev.contraflow.cli;

import dev.contraflow.io.image.EncoderInput;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.ImageSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** Where images come from: an IDX file, a folder of PNG/JPEG files, or a Fashion-MNIST folder. */
final class ImageInputOptions {

  @Option(names = "--images",
      description = "IDX images file (.gz ok), a folder of PNG/JPEG files, or a Fashion-MNIST folder.")
  Path images;

  @Option(names = "--limit", defaultValue = "0",
      description = "Use only the first N images or sentences (0 = all).")
  int limit;

  /** The images at {@code --images}, decoded to {@code input} as they are read. */
  ImageSource open(EncoderInput input, PrintStream log) throws IOException {
    if (limit < 0) {
      throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
    }
    ImageSource source = ImageSource.open(images, limit, new ImageDecoder(input));
    log.printf("reading %d images from %s, each decoded to %s%s%n", source.size(), images,
        input, source.ignoredFiles() == 0 ? ""
            : "; " + source.ignoredFiles() + " other files (not .png/.jpg/.jpeg) left alone");
    return source;
  }

  /** Tells of a refused image on {@code log}: "refused image 3 (dir/b.jpg): reason". */
  static void printRefusal(PrintStream log, ImageSource.Item item) {
    log.println("refused " + item.describe() + ": " + item.refusal());
  }

  /** Prints each refused image once, however many passes meet it, and counts them. */
  static final class Refusals implements Consumer<ImageSource.Item> {

    private final PrintStream log;
    private final Set<Integer> refused = new HashSet<>();

    Refusals(PrintStream log) {
      this.log = log;
    }

    @Override
    public void accept(ImageSource.Item item) {
      if (refused.add(item.index())) {
        printRefusal(log, item);
      }
    }

    int count() {
      return refused.size();
    }
  }
}
