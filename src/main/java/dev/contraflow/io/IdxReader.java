package dev.contraflow.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST (LeCun et al.): a big-endian magic
 * {@code 0x00000803} (unsigned bytes, 3 dimensions) for images, {@code 0x00000801} for labels,
 * then the dimensions and the data. Gzipped files are read transparently.
 */
public final class IdxReader {

  static final int IMAGES_MAGIC = 0x00000803;
  static final int LABELS_MAGIC = 0x00000801;

  private IdxReader() {}

  /** All images; ids are the 0-based index in the file. */
  public static List<Image> readImages(Path file) throws IOException {
    return readImages(file, 0);
  }

  /** The first {@code limit} images (0 = all). */
  public static List<Image> readImages(Path file, int limit) throws IOException {
    try (DataInputStream in = open(file)) {
      checkMagic(file, in.readInt(), IMAGES_MAGIC, "images");
      int count = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      if (count < 0 || rows < 1 || cols < 1) {
        throw new IOException(file + ": bad IDX image dimensions " + count + "x" + rows + "x" + cols);
      }
      int n = limit > 0 ? Math.min(limit, count) : count;
      List<Image> images = new ArrayList<>(n);
      byte[] buf = new byte[rows * cols];
      for (int i = 0; i < n; i++) {
        readFully(file, in, buf, i, count);
        float[] px = new float[buf.length];
        for (int p = 0; p < buf.length; p++) {
          px[p] = (buf[p] & 0xff) / 255f;
        }
        images.add(new Image(Integer.toString(i), 1, rows, cols, px));
      }
      return images;
    }
  }

  /** All labels (0..255). */
  public static int[] readLabels(Path file) throws IOException {
    try (DataInputStream in = open(file)) {
      checkMagic(file, in.readInt(), LABELS_MAGIC, "labels");
      int count = in.readInt();
      if (count < 0) {
        throw new IOException(file + ": bad IDX label count " + count);
      }
      byte[] buf = new byte[count];
      readFully(file, in, buf, 0, count);
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = buf[i] & 0xff;
      }
      return labels;
    }
  }

  private static DataInputStream open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    raw.mark(2);
    int b0 = raw.read();
    int b1 = raw.read();
    raw.reset();
    boolean gzip = b0 == 0x1f && b1 == 0x8b;
    return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(raw), 1 << 16) : raw);
  }

  private static void checkMagic(Path file, int magic, int expected, String what)
      throws IOException {
    if (magic != expected) {
      throw new IOException(String.format(
          "%s is not an IDX %s file (magic 0x%08x, expected 0x%08x)", file, what, magic, expected));
    }
  }

  private static void readFully(Path file, DataInputStream in, byte[] buf, int index, int count)
      throws IOException {
    try {
      in.readFully(buf);
    } catch (EOFException e) {
      throw new IOException(file + " is truncated: the header announces " + count
          + " entries but the data ends at entry " + index, e);
    }
  }
}
