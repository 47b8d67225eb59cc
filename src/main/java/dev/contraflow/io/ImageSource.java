package dev.contraflow.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a command's images come from: an IDX file (gzipped or not), a folder of PNG/JPEG files
 * (in file-name order), or a Fashion-MNIST folder as written by {@code scripts/fetch-fashion-mnist.sh}
 * (its training images). Ids are the 0-based position in that order.
 */
public final class ImageSource {

  private static final String[] TRAIN_IMAGES = {"train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"};

  private ImageSource() {}

  /** The first {@code limit} images (0 = all) at {@code path}. */
  public static List<Image> load(Path path, int limit, ImageDecoder decoder) throws IOException {
    if (!Files.exists(path)) {
      throw new IOException(path + " does not exist (fetch Fashion-MNIST with scripts/fetch-fashion-mnist.sh)");
    }
    if (Files.isDirectory(path)) {
      Optional<Path> idx = trainImagesIn(path);
      return idx.isPresent() ? IdxReader.readImages(idx.get(), limit) : folder(path, limit, decoder);
    }
    return IdxReader.readImages(path, limit);
  }

  /** The labels file beside an IDX images file or Fashion-MNIST folder, if there is one. */
  public static Optional<int[]> labelsFor(Path imagesPath) throws IOException {
    Path images = Files.isDirectory(imagesPath) ? trainImagesIn(imagesPath).orElse(null) : imagesPath;
    if (images == null) {
      return Optional.empty();
    }
    Path labels = images.resolveSibling(images.getFileName().toString().replace("-images-idx3-", "-labels-idx1-"));
    return labels.equals(images) || !Files.isRegularFile(labels)
        ? Optional.empty()
        : Optional.of(IdxReader.readLabels(labels));
  }

  private static Optional<Path> trainImagesIn(Path dir) {
    for (String name : TRAIN_IMAGES) {
      if (Files.isRegularFile(dir.resolve(name))) {
        return Optional.of(dir.resolve(name));
      }
    }
    return Optional.empty();
  }

  private static List<Image> folder(Path dir, int limit, ImageDecoder decoder) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(ImageSource::isImageFile).sorted().toList();
    }
    int n = limit > 0 ? Math.min(limit, files.size()) : files.size();
    List<Image> images = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Path f = files.get(i);
      try {
        Image img = decoder.decode(Integer.toString(i), Files.readAllBytes(f));
        images.add(img);
      } catch (InvalidImageException e) {
        throw new IOException(f + ": " + e.reason(), e);
      }
    }
    return images;
  }

  private static boolean isImageFile(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(p)
        && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"));
  }
}
