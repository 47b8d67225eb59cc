package dev.contraflow.io.image;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST (LeCun et al., "The MNIST database"; Xiao et
 * al. 2017): a big-endian magic number whose third byte is the element type ({@code 0x08},
 * unsigned byte) and fourth the number of dimensions, then one big-endian int per dimension, then
 * the elements. Images are {@code 0x00000803} (count x rows x columns), labels {@code 0x00000801}.
 *
 * <p>Files are gunzipped on the fly when their name ends in {@code .gz} or they start with the
 * gzip magic, so the downloaded files are used as they are. Images are read one record at a time
 * through a buffer ({@link #open}): the 60,000 Fashion-MNIST training images take well under a
 * second, and an iteration holds one record whatever the file's size.
 */
public final class IdxReader {

  /** Unsigned bytes, 3 dimensions: count x rows x columns. */
  public static final int IMAGES_MAGIC = 0x00000803;

  /** Unsigned bytes, 1 dimension: count. */
  public static final int LABELS_MAGIC = 0x00000801;

  private static final int GZIP_MAGIC = 0x1f8b;
  private static final int BUFFER_BYTES = 1 << 16;

  private IdxReader() {}

  /** All images in the file; ids are the 0-based index, pixels the bytes divided by 255. */
  public static List<Image> readImages(Path file) throws IOException {
    return readImages(file, 0);
  }

  /**
   * The first {@code limit} images in the file, or all of them when {@code limit} is 0, kept as
   * the file's bytes in blocks of about 4 MiB ({@link IdxImages}): 60,000 Fashion-MNIST images
   * take 47 MB instead of 188 MB of floats, and the heap never holds them twice while they load.
   */
  public static List<Image> readImages(Path file, int limit) throws IOException {
    try (Images images = open(file, limit)) {
      int pixels = images.header.pixelsPerImage();
      int wanted = images.count();
      int perBlock = IdxImages.imagesPerBlock(pixels);
      // one block at a time as data arrives, so a corrupt count cannot exhaust memory
      byte[][] blocks = new byte[(wanted + perBlock - 1) / perBlock][];
      for (int b = 0; b < blocks.length; b++) {
        int inBlock = Math.min(perBlock, wanted - b * perBlock);
        blocks[b] = new byte[inBlock * pixels];
        for (int i = 0; i < inBlock; i++) {
          images.nextRecord(blocks[b], i * pixels);
        }
      }
      return new IdxImages(images.header.rows(), images.header.columns(), wanted, blocks);
    }
  }

  /**
   * The first {@code limit} images in the file (all when 0), read one record at a time as they
   * are iterated: memory stays at one record whatever the file's size.
   */
  public static Images open(Path file, int limit) throws IOException {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0 (0 reads all images), got " + limit);
    }
    DataInputStream in;
    try {
      in = openStream(file);
    } catch (ZipException e) {
      throw notGzip(file, e);
    }
    try {
      ImagesHeader header = ImagesHeader.read(file, in);
      return new Images(file, in, header, limit == 0 ? header.count()
          : Math.min(limit, header.count()));
    } catch (ZipException e) {
      in.close();
      throw notGzip(file, e);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /**
   * The images of an open IDX file in order; ids are the 0-based index, pixels the bytes divided
   * by 255. A read error (a truncated file) is an {@link UncheckedIOException} from {@link
   * #next()}. Closes the file when the last image is read, or on {@link #close()}.
   */
  public static final class Images implements Iterator<Image>, Closeable {

    private final Path file;
    private final DataInputStream in;
    private final ImagesHeader header;
    private final int count;
    private final byte[] record;
    private int next;

    private Images(Path file, DataInputStream in, ImagesHeader header, int count) {
      this.file = file;
      this.in = in;
      this.header = header;
      this.count = count;
      this.record = new byte[header.pixelsPerImage()];
    }

    /** How many images this iteration yields in all. */
    public int count() {
      return count;
    }

    @Override
    public boolean hasNext() {
      return next < count;
    }

    @Override
    public Image next() {
      if (!hasNext()) {
        throw new NoSuchElementException("all " + count + " images of " + file + " were read");
      }
      try {
        readRecord(file, in, record, next, header.count());
        Image image = new Image(Integer.toString(next), 1, header.rows(), header.columns(),
            unsignedBytesToUnit(record));
        if (++next == count) {
          close();
        }
        return image;
      } catch (ZipException e) {
        throw new UncheckedIOException(notGzip(file, e).getMessage(), e);
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      }
    }

    /** Reads the next record's bytes into {@code into} at {@code offset}, making no image. */
    void nextRecord(byte[] into, int offset) throws IOException {
      if (!hasNext()) {
        throw new NoSuchElementException("all " + count + " images of " + file + " were read");
      }
      try {
        in.readFully(into, offset, record.length);
      } catch (EOFException e) {
        throw new IOException(file + " is truncated: its header announces " + header.count()
            + " images, but the data ends in image " + next + " (download it again)", e);
      } catch (ZipException e) {
        throw notGzip(file, e);
      }
      next++;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** All labels in the file, as ints 0..255 (0..9 for MNIST and Fashion-MNIST). */
  public static int[] readLabels(Path file) throws IOException {
    try (DataInputStream in = openStream(file)) {
      checkMagic(file, readHeaderInt(file, in), LABELS_MAGIC);
      int count = readHeaderInt(file, in);
      if (count < 0) {
        throw new IOException(file + " has a corrupt IDX header: negative label count " + count);
      }
      // readNBytes grows its buffer as data arrives, so a corrupt count cannot exhaust memory.
      byte[] bytes = in.readNBytes(count);
      if (bytes.length < count) {
        throw new IOException(file + " is truncated: its header announces " + count
            + " labels, but the file holds " + bytes.length + " (download it again)");
      }
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = bytes[i] & 0xff;
      }
      return labels;
    } catch (ZipException e) {
      throw notGzip(file, e);
    }
  }

  private static DataInputStream openStream(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "no such IDX file");
    }
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES);
    raw.mark(2);
    int firstTwoBytes = (raw.read() << 8) | raw.read();
    raw.reset();
    boolean gzipped = firstTwoBytes == GZIP_MAGIC || file.toString().endsWith(".gz");
    return new DataInputStream(gzipped ? new GZIPInputStream(raw, BUFFER_BYTES) : raw);
  }

  private static void checkMagic(Path file, int magic, int expected) throws IOException {
    if (magic != expected) {
      throw new IOException(String.format("%s is not an IDX %s file: its magic number is 0x%08x%s,"
              + " expected 0x%08x", file, kindOf(expected), magic, describe(magic), expected));
    }
  }

  private static String kindOf(int magic) {
    return magic == IMAGES_MAGIC ? "images" : "labels";
  }

  private static String describe(int magic) {
    return magic == IMAGES_MAGIC || magic == LABELS_MAGIC ? " (IDX " + kindOf(magic) + ")" : "";
  }

  private static int readHeaderInt(Path file, DataInputStream in) throws IOException {
    try {
      return in.readInt();
    } catch (EOFException e) {
      throw new IOException(file + " is truncated: it ends inside the IDX header", e);
    }
  }

  private static void readRecord(Path file, DataInputStream in, byte[] record, int index,
      int count) throws IOException {
    try {
      in.readFully(record);
    } catch (EOFException e) {
      throw new IOException(file + " is truncated: its header announces " + count
          + " images, but the data ends in image " + index + " (download it again)", e);
    }
  }

  private static float[] unsignedBytesToUnit(byte[] bytes) {
    float[] values = new float[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      values[i] = (bytes[i] & 0xff) / 255f;
    }
    return values;
  }

  private static IOException notGzip(Path file, ZipException e) {
    return new IOException(file + " is not a valid gzip file (" + e.getMessage()
        + "); gunzip it by hand to check, or download it again", e);
  }

  /** The dimensions of an IDX images file. */
  private record ImagesHeader(int count, int rows, int columns) {

    static ImagesHeader read(Path file, DataInputStream in) throws IOException {
      checkMagic(file, readHeaderInt(file, in), IMAGES_MAGIC);
      int count = readHeaderInt(file, in);
      int rows = readHeaderInt(file, in);
      ImagesHeader header = new ImagesHeader(count, rows, readHeaderInt(file, in));
      if (header.count < 0 || header.rows < 1 || header.columns < 1
          || (long) header.rows * header.columns > Integer.MAX_VALUE) {
        throw new IOException(file + " has a corrupt IDX header: " + header.count + " images of "
            + header.rows + "x" + header.columns + " pixels");
      }
      return header;
    }

    int pixelsPerImage() {
      return rows * columns;
    }
  }
}
