package dev.contraflow.io.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Images with their class labels, decoded to an encoder's input: what {@code eval} scores
 * checkpoints on and the publish gates' labelled probe measures kNN accuracy on. Labels are for
 * evaluation only; learning never sees them.
 *
 * @param images the images, at the encoder's input
 * @param labels label i belongs to image i
 */
public record LabelledImages(List<Image> images, int[] labels) {

  public LabelledImages {
    if (images.size() != labels.length) {
      throw new IllegalArgumentException(images.size() + " images but " + labels.length
          + " labels");
    }
    images = List.copyOf(images);
  }

  public int size() {
    return images.size();
  }

  /**
   * The first {@code limit} images at {@code path} (0: all) with the labels beside them
   * ({@link ImageSource#labelsFor}); a refused image is told to {@code onRefused} and left out
   * with its label.
   *
   * @throws IllegalArgumentException when no labels file sits beside the images
   */
  public static LabelledImages fromFiles(Path path, int limit, ImageDecoder decoder,
      Consumer<ImageSource.Item> onRefused) throws IOException {
    ImageSource source = ImageSource.open(path, limit, decoder);
    int[] labels = ImageSource.labelsFor(path).orElseThrow(() -> new IllegalArgumentException(
        "no labels next to " + path + " (labelled images are an IDX images file with its "
            + "labels file, such as t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz)"));
    if (labels.length < source.size()) {
      throw new IllegalArgumentException(path + " has " + source.size() + " images but only "
          + labels.length + " labels");
    }
    List<Image> images = new ArrayList<>(source.size());
    int[] kept = new int[source.size()];
    try (Stream<ImageSource.Item> items = source.items()) {
      for (ImageSource.Item item : (Iterable<ImageSource.Item>) items::iterator) {
        if (item.accepted()) {
          kept[images.size()] = labels[item.index()];
          images.add(item.image());
        } else {
          onRefused.accept(item);
        }
      }
    }
    return new LabelledImages(images, Arrays.copyOf(kept, images.size()));
  }
}
