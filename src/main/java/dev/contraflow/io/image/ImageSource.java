package dev.contraflow.io.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Where the command line's images come from, so that every command accepts the same inputs:
 *
 * <ul>
 *   <li>an IDX images file, gzipped or not (MNIST, Fashion-MNIST);
 *   <li>a Fashion-MNIST folder as written by {@code scripts/fetch-fashion-mnist.sh}: its training
 *       images {@code train-images-idx3-ubyte[.gz]} are used;
 *   <li>any other folder: its PNG and JPEG files in file-name order (other files are counted
 *       and left alone).
 * </ul>
 *
 * <p>Nothing is loaded up front: {@link #items()} reads one file or IDX record at a time and
 * decodes it straight to the encoder's input ({@link ImageDecoder}), so memory stays bounded
 * whatever the folder holds, and every pass over the source reads it again. Ids are the 0-based
 * position in that order, so an embedding can be traced back to its file; an image that cannot
 * be used is an {@link Item} with its reason, keeping its id, so no id after it shifts.
 */
public final class ImageSource {

  private static final List<String> TRAIN_IMAGE_FILES =
      List.of("train-images-idx3-ubyte.gz", "train-images-idx3-ubyte");
  private static final List<String> IMAGE_FILE_SUFFIXES = List.of(".png", ".jpg", ".jpeg");
  /** MNIST-style names: train-images-idx3-ubyte, t10k-images.idx3-ubyte.gz, ... */
  private static final Pattern IDX_IMAGES_NAME =
      Pattern.compile("(.*)images([.-])idx3-ubyte(\\.gz)?");

  /**
   * One image of the source: decoded to the encoder's input, or refused with the reason.
   *
   * @param index the 0-based position in the source (the image's id)
   * @param file the file it came from, or null for a record of an IDX file
   * @param image the encoder's input, or null when refused
   * @param refusal why the image cannot be used, or null when accepted
   */
  public record Item(int index, Path file, Image image, String refusal) {

    public String id() {
      return Integer.toString(index);
    }

    public boolean accepted() {
      return image != null;
    }

    /** "image 3 (photos/b.jpg)", for messages. */
    public String describe() {
      return "image " + index + (file == null ? "" : " (" + file + ")");
    }
  }

  private final Path path;
  private final Path idx;
  private final List<Path> files;
  private final int size;
  private final int ignored;
  private final ImageDecoder decoder;

  private ImageSource(Path path, Path idx, List<Path> files, int size, int ignored,
      ImageDecoder decoder) {
    this.path = path;
    this.idx = idx;
    this.files = files;
    this.size = size;
    this.ignored = ignored;
    this.decoder = decoder;
  }

  /**
   * The first {@code limit} images at {@code path} (all of them when {@code limit} is 0), decoded
   * by {@code decoder} as they are read. Reads only a folder's listing or an IDX file's header.
   */
  public static ImageSource open(Path path, int limit, ImageDecoder decoder) throws IOException {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0 (0 reads all images), got " + limit);
    }
    if (!Files.exists(path)) {
      throw new IOException(path + " does not exist; pass an IDX images file, a folder of"
          + " PNG/JPEG files, or fetch Fashion-MNIST with scripts/fetch-fashion-mnist.sh");
    }
    Optional<Path> idx = Files.isDirectory(path) ? trainImagesIn(path) : Optional.of(path);
    if (idx.isPresent()) {
      try (IdxReader.Images images = IdxReader.open(idx.get(), limit)) {
        return new ImageSource(path, idx.get(), List.of(), images.count(), 0, decoder);
      }
    }
    List<Path> all = regularFilesByName(path);
    List<Path> images = all.stream().filter(ImageSource::isImageFile).toList();
    if (images.isEmpty()) {
      throw new IOException(path + " holds no train-images-idx3-ubyte[.gz] and no "
          + String.join("/", IMAGE_FILE_SUFFIXES) + " files");
    }
    List<Path> wanted = limit == 0 ? images : images.subList(0, Math.min(limit, images.size()));
    return new ImageSource(path, null, wanted, wanted.size(), all.size() - images.size(),
        decoder);
  }

  /** The same images, decoded by {@code other} (another encoder input). */
  public ImageSource withDecoder(ImageDecoder other) {
    return new ImageSource(path, idx, files, size, ignored, other);
  }

  /** The path given. */
  public Path path() {
    return path;
  }

  /** How many images (accepted or refused) an iteration yields. */
  public int size() {
    return size;
  }

  /** Files of the folder that are not PNG/JPEG by their suffix, and so not read. */
  public int ignoredFiles() {
    return ignored;
  }

  /** The shape and rules the images are decoded to. */
  public EncoderInput input() {
    return decoder.input();
  }

  /** The PNG/JPEG files in order (index = id); empty for an IDX source. */
  public List<Path> files() {
    return files;
  }

  /**
   * Every image in order, each decoded when the stream reaches it. Each call reads the source
   * again from the start. Close the stream: an IDX file stays open until its last record.
   *
   * @throws UncheckedIOException from the stream when an IDX file cannot be read on (truncated)
   */
  public Stream<Item> items() throws IOException {
    if (idx == null) {
      return IntStream.range(0, size).mapToObj(this::decodeFile);
    }
    IdxReader.Images records = IdxReader.open(idx, size);
    Iterator<Item> decoded = new Iterator<>() {
      private int index;

      @Override
      public boolean hasNext() {
        return records.hasNext();
      }

      @Override
      public Item next() {
        return fitted(index++, records.next());
      }
    };
    return StreamSupport.stream(Spliterators.spliterator(decoded, size,
        Spliterator.ORDERED | Spliterator.SIZED | Spliterator.NONNULL), false)
        .onClose(() -> closeQuietly(records));
  }

  /**
   * The accepted images, for a trainer that makes passes: each iteration reads the source again
   * and tells {@code onRefused} of every image that cannot be used. Its iterators are {@link
   * AutoCloseable} for a caller that stops early.
   */
  public Iterable<Image> accepted(Consumer<Item> onRefused) {
    return () -> {
      try {
        return new Accepted(items(), onRefused);
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      }
    };
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

  private static Optional<Path> trainImagesIn(Path folder) {
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

  private Item decodeFile(int index) {
    Path file = files.get(index);
    try {
      return new Item(index, file, decoder.decode(Integer.toString(index), file), null);
    } catch (InvalidImageException e) {
      return new Item(index, file, null, e.reason());
    }
  }

  private Item fitted(int index, Image record) {
    try {
      return new Item(index, null, decoder.fit(record), null);
    } catch (InvalidImageException e) {
      return new Item(index, null, null, e.reason());
    }
  }

  private static void closeQuietly(IdxReader.Images records) {
    try {
      records.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  private static List<Path> regularFilesByName(Path folder) throws IOException {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries
          .filter(Files::isRegularFile)
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    }
  }

  private static boolean isImageFile(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return IMAGE_FILE_SUFFIXES.stream().anyMatch(name::endsWith);
  }

  /** The accepted images of one pass; closes the pass's stream at its end. */
  private static final class Accepted implements Iterator<Image>, AutoCloseable {

    private final Stream<Item> stream;
    private final Iterator<Item> items;
    private final Consumer<Item> onRefused;
    private Image next;

    Accepted(Stream<Item> stream, Consumer<Item> onRefused) {
      this.stream = stream;
      this.items = stream.iterator();
      this.onRefused = onRefused;
    }

    @Override
    public boolean hasNext() {
      while (next == null && items.hasNext()) {
        Item item = items.next();
        if (item.accepted()) {
          next = item.image();
        } else {
          onRefused.accept(item);
        }
      }
      if (next == null) {
        close();
      }
      return next != null;
    }

    @Override
    public Image next() {
      if (!hasNext()) {
        throw new NoSuchElementException("no more images in this pass");
      }
      Image image = next;
      next = null;
      return image;
    }

    @Override
    public void close() {
      stream.close();
    }
  }
}
