package dev.contraflow.io.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the command line's images come from, so that every command accepts the same inputs:
 *
 * <ul>
 *   <li>an IDX images file, gzipped or not (MNIST, Fashion-MNIST);
 *   <li>a Fashion-MNIST folder as written by {@code scripts/fetch-fashion-mnist.sh}: its training
 *       images {@code train-images-idx3-ubyte[.gz]} are used;
 *   <li>any other folder: its PNG and JPEG files in file-name order.
 * </ul>
 *
 * <p>Ids are the 0-based position in that order, so an embedding can be traced back to its file.
 * A file that does not decode stops the load with its name and the reason: a training set is
 * prepared by hand, and a silently skipped file would shift every id after it.
 */
public final class ImageSource {

  private static final List<String> TRAIN_IMAGE_FILES =
      List.of("train-images-idx3-ubyte.gz", "train-images-idx3-ubyte");
  private static final List<String> IMAGE_FILE_SUFFIXES = List.of(".png", ".jpg", ".jpeg");
  /** MNIST-style names: train-images-idx3-ubyte, t10k-images.idx3-ubyte.gz, ... */
  private static final Pattern IDX_IMAGES_NAME =
      Pattern.compile("(.*)images([.-])idx3-ubyte(\\.gz)?");

  private ImageSource() {}

  /**
   * The first {@code limit} images at {@code path} (all of them when {@code limit} is 0).
   *
   * @param decoder decodes the files of an image folder; IDX files need none
   */
  public static List<Image> load(Path path, int limit, ImageDecoder decoder) throws IOException {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0 (0 loads all images), got " + limit);
    }
    if (!Files.exists(path)) {
      throw new IOException(path + " does not exist; pass an IDX images file, a folder of"
          + " PNG/JPEG files, or fetch Fashion-MNIST with scripts/fetch-fashion-mnist.sh");
    }
    if (!Files.isDirectory(path)) {
      return IdxReader.readImages(path, limit);
    }
    Optional<Path> trainImages = trainImagesIn(path);
    return trainImages.isPresent()
        ? IdxReader.readImages(trainImages.get(), limit)
        : decodeFolder(path, limit, decoder);
  }

  /**
   * The labels beside an IDX images file ({@code train-images-idx3-ubyte[.gz]} has {@code
   * train-labels-idx1-ubyte[.gz]}) or beside a Fashion-MNIST folder's training images. Labels
   * are for evaluation only: learning never sees them.
   *
   * @return empty when {@code imagesPath} is not an IDX images file or folder, or has no labels
   */
  public static Optional<int[]> labelsFor(Path imagesPath) throws IOException {
    Optional<Path> images = Files.isDirectory(imagesPath)
        ? trainImagesIn(imagesPath)
        : Optional.of(imagesPath);
    Optional<Path> labels = images.flatMap(ImageSource::siblingLabels);
    return labels.isPresent() ? Optional.of(IdxReader.readLabels(labels.get())) : Optional.empty();
  }

  /** A Fashion-MNIST-style folder's training images file, if it has one. */
  public static Optional<Path> trainImagesIn(Path folder) {
    return TRAIN_IMAGE_FILES.stream().map(folder::resolve).filter(Files::isRegularFile).findFirst();
  }

  /** The labels file of the same split, gzipped like the images or, failing that, the other way. */
  private static Optional<Path> siblingLabels(Path images) {
    Path name = images.getFileName();
    Matcher m = name == null ? null : IDX_IMAGES_NAME.matcher(name.toString());
    if (m == null || !m.matches()) {
      return Optional.empty();
    }
    String labels = m.group(1) + "labels" + m.group(2) + "idx1-ubyte";
    boolean gzipped = m.group(3) != null;
    return Stream.of(labels + (gzipped ? ".gz" : ""), labels + (gzipped ? "" : ".gz"))
        .map(images::resolveSibling)
        .filter(Files::isRegularFile)
        .findFirst();
  }

  private static List<Image> decodeFolder(Path folder, int limit, ImageDecoder decoder)
      throws IOException {
    List<Path> files = imageFilesByName(folder);
    if (files.isEmpty()) {
      throw new IOException(folder + " holds no train-images-idx3-ubyte[.gz] and no "
          + String.join("/", IMAGE_FILE_SUFFIXES) + " files");
    }
    int wanted = limit == 0 ? files.size() : Math.min(limit, files.size());
    List<Image> images = new ArrayList<>(wanted);
    for (int i = 0; i < wanted; i++) {
      images.add(decodeFile(files.get(i), Integer.toString(i), decoder));
    }
    return images;
  }

  /** The PNG and JPEG files of a folder (by suffix), in name order. */
  public static List<Path> imageFilesByName(Path folder) throws IOException {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries
          .filter(ImageSource::isImageFile)
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    }
  }

  private static boolean isImageFile(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return IMAGE_FILE_SUFFIXES.stream().anyMatch(name::endsWith) && Files.isRegularFile(file);
  }

  private static Image decodeFile(Path file, String id, ImageDecoder decoder) throws IOException {
    try {
      return decoder.decode(id, Files.readAllBytes(file));
    } catch (InvalidImageException e) {
      throw new IOException(file + " (image " + id + ") cannot be used: " + e.reason(), e);
    }
  }
}
