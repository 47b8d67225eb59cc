package dev.contraflow.bench;

import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;

/**
 * A folder of the inputs users point contraflow at, generated on the spot (nothing is committed):
 * mixed sizes up to 8192 x 8192, a phone photo whose EXIF orientation turns it upright, grey, RGB,
 * RGBA and 16-bit PNGs, a panorama, a truncated PNG and JPEG, a text file named like a JPEG and a
 * file that is not an image by name. Each file comes with the outcome the default rules (limits
 * of default-job.yaml) give it: embedded, or refused with a reason containing a given phrase.
 *
 * <p>The large PNGs are written a row at a time through a deflater, with 64 x 64 blocks of
 * levels: they take little disk (rows repeat, PNG's Up filter turns them into zeros) but decode
 * to their full size, which is what matters for memory.
 */
public final class PhotoCorpus {

  /**
   * One file of the corpus.
   *
   * @param name its file name
   * @param refusal a phrase of the reason it is refused with, or empty when it is embedded
   */
  public record Entry(String name, Optional<String> refusal) {

    public boolean embedded() {
      return refusal.isEmpty();
    }
  }

  /** A file next to the images that is not one by its name: left alone, not refused. */
  public static final String IGNORED_FILE = "notes.txt";

  private static final int GREY = 0;
  private static final int RGB = 2;
  private static final int GREY_ALPHA = 4;
  private static final int RGBA = 6;
  private static final int PNG_FILTER_UP = 2;
  private static final int IDAT_BYTES = 1 << 16;
  private static final int BLOCK = 64;

  private PhotoCorpus() {}

  /**
   * Writes the corpus into {@code folder} ({@code copies} times over, the copies named {@code
   * c<k>-...}, for a folder of realistic size) and returns its image files in file-name order
   * (the order, and so the ids, every command gives them).
   */
  public static List<Entry> write(Path folder, int copies) throws IOException {
    if (copies < 1) {
      throw new IllegalArgumentException("copies must be >= 1, got " + copies);
    }
    Files.createDirectories(folder);
    List<Entry> one = writeOnce(folder);
    List<Entry> all = new ArrayList<>(one);
    for (int k = 1; k < copies; k++) {
      for (Entry e : one) {
        String name = "c" + k + "-" + e.name();
        Files.copy(folder.resolve(e.name()), folder.resolve(name));
        all.add(new Entry(name, e.refusal()));
      }
    }
    Files.writeString(folder.resolve(IGNORED_FILE), "photos from the trip, unsorted\n");
    all.sort((a, b) -> a.name().compareTo(b.name()));
    return all;
  }

  private static List<Entry> writeOnce(Path folder) throws IOException {
    List<Entry> entries = new ArrayList<>();
    entries.add(png(folder, "a-grey-28x28.png", 28, 28, GREY, 8));
    entries.add(png(folder, "b-rgb-800x600.png", 800, 600, RGB, 8));
    entries.add(png(folder, "c-rgba-300x200.png", 300, 200, RGBA, 8));
    entries.add(png(folder, "d-grey16-256x256.png", 256, 256, GREY, 16));
    entries.add(png(folder, "e-rgba16-200x100.png", 200, 100, RGBA, 16));
    entries.add(png(folder, "f-grey-alpha-64x64.png", 64, 64, GREY_ALPHA, 8));
    byte[] photo = jpeg(3000, 2000);
    Files.write(folder.resolve("g-phone-3000x2000-exif6.jpg"),
        withExifOrientation(photo, 6, true));
    entries.add(new Entry("g-phone-3000x2000-exif6.jpg", Optional.empty()));
    Files.write(folder.resolve("h-panorama-8192x512.jpg"), jpeg(8192, 512));
    entries.add(new Entry("h-panorama-8192x512.jpg", Optional.empty()));
    entries.add(png(folder, "i-grey-4096x4096.png", 4096, 4096, GREY, 8));
    entries.add(png(folder, "j-rgb-4096x4096.png", 4096, 4096, RGB, 8));
    Entry huge = png(folder, "k-grey-8192x8192.png", 8192, 8192, GREY, 8);
    entries.add(new Entry(huge.name(), Optional.of("exceeds the limit of 16777216 pixels")));
    Files.write(folder.resolve("l-truncated.jpg"), Arrays.copyOf(photo, photo.length / 3));
    entries.add(new Entry("l-truncated.jpg", Optional.of("JPEG")));
    byte[] png = Files.readAllBytes(folder.resolve("b-rgb-800x600.png"));
    Files.write(folder.resolve("m-truncated.png"), Arrays.copyOf(png, png.length / 2));
    entries.add(new Entry("m-truncated.png", Optional.of("PNG")));
    Files.writeString(folder.resolve("n-not-an-image.jpg"), "a shopping list, not a photo\n");
    entries.add(new Entry("n-not-an-image.jpg", Optional.of("unknown image format")));
    return entries;
  }

  /**
   * {@code jpeg} with an APP1 "Exif" segment right after its start marker whose IFD0 holds only
   * the Orientation tag (1..8), in the given byte order, as cameras write it.
   */
  public static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean littleEndian) {
    ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4)
        .order(littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    byte order = (byte) (littleEndian ? 'I' : 'M');
    tiff.put(order).put(order).putShort((short) 42).putInt(8) // byte order, 42, IFD0 at 8
        .putShort((short) 1)                                   // one entry:
        .putShort((short) 0x0112).putShort((short) 3).putInt(1) // Orientation, SHORT, 1 value
        .putShort((short) orientation).putShort((short) 0)
        .putInt(0);                                            // no next IFD
    byte[] exif = {'E', 'x', 'i', 'f', 0, 0};
    int length = 2 + exif.length + tiff.capacity();
    return ByteBuffer.allocate(jpeg.length + 2 + length)
        .put(jpeg, 0, 2) // SOI
        .put((byte) 0xff).put((byte) 0xe1).putShort((short) length).put(exif).put(tiff.array())
        .put(jpeg, 2, jpeg.length - 2)
        .array();
  }

  /** An RGB JPEG of coloured blocks, as ImageIO writes it (JFIF, quality 0.75). */
  private static byte[] jpeg(int width, int height) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        row[x] = level(x, y, 0) << 16 | level(x, y, 1) << 8 | level(x, y, 2);
      }
      image.setRGB(0, y, width, 1, row, 0, width);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(image, "jpeg", out)) {
      throw new IllegalStateException("this JVM has no ImageIO JPEG writer");
    }
    return out.toByteArray();
  }

  /** The 8-bit level of channel {@code c} at (x, y): blocks of 64 x 64, a different one per channel. */
  private static int level(int x, int y, int c) {
    return ((x / BLOCK) * (37 + 50 * c) + (y / BLOCK) * (91 - 20 * c)) & 0xff;
  }

  /** Writes a PNG a row at a time: memory is a row, whatever the size. */
  private static Entry png(Path folder, String name, int width, int height, int colourType,
      int bitDepth) throws IOException {
    int samples = switch (colourType) {
      case GREY -> 1;
      case GREY_ALPHA -> 2;
      case RGB -> 3;
      default -> 4;
    };
    int bytesPerSample = bitDepth / 8;
    int rowBytes = width * samples * bytesPerSample;
    try (DataOutputStream file = new DataOutputStream(new BufferedOutputStream(
        Files.newOutputStream(folder.resolve(name)), IDAT_BYTES))) {
      file.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
      ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
          .put((byte) bitDepth).put((byte) colourType).put(new byte[] {0, 0, 0});
      chunk(file, "IHDR", ihdr.array(), 13);
      byte[] previous = new byte[rowBytes];
      byte[] current = new byte[rowBytes];
      byte[] filtered = new byte[1 + rowBytes];
      filtered[0] = PNG_FILTER_UP;
      try (DeflaterOutputStream idat = new DeflaterOutputStream(new IdatChunks(file),
          new Deflater(Deflater.BEST_SPEED), IDAT_BYTES)) {
        for (int y = 0; y < height; y++) {
          fillRow(current, y, width, samples, bytesPerSample, colourType);
          for (int i = 0; i < rowBytes; i++) {
            filtered[1 + i] = (byte) (current[i] - previous[i]);
          }
          idat.write(filtered);
          byte[] swap = previous;
          previous = current;
          current = swap;
        }
      }
      chunk(file, "IEND", new byte[0], 0);
    }
    return new Entry(name, Optional.empty());
  }

  /** Blocks of levels; alpha fades from opaque at the left to transparent at the right. */
  private static void fillRow(byte[] row, int y, int width, int samples, int bytesPerSample,
      int colourType) {
    boolean alpha = colourType == GREY_ALPHA || colourType == RGBA;
    int colours = alpha ? samples - 1 : samples;
    int i = 0;
    for (int x = 0; x < width; x++) {
      for (int s = 0; s < samples; s++) {
        int v = s < colours ? level(x, y, s) : 255 - (x * 255 / Math.max(1, width - 1));
        for (int b = 0; b < bytesPerSample; b++) {
          row[i++] = (byte) v; // 16-bit: the level in both bytes, 0..65535
        }
      }
    }
  }

  private static void chunk(DataOutputStream out, String type, byte[] data, int length)
      throws IOException {
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data, 0, length);
    out.writeInt(length);
    out.write(name);
    out.write(data, 0, length);
    out.writeInt((int) crc.getValue());
  }

  /** Cuts the deflated stream into IDAT chunks. */
  private static final class IdatChunks extends FilterOutputStream {

    private final byte[] buffer = new byte[IDAT_BYTES];
    private int filled;

    IdatChunks(DataOutputStream file) {
      super(file);
    }

    @Override
    public void write(int b) throws IOException {
      buffer[filled++] = (byte) b;
      if (filled == buffer.length) {
        flushChunk();
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        int n = Math.min(len, buffer.length - filled);
        System.arraycopy(b, off, buffer, filled, n);
        filled += n;
        off += n;
        len -= n;
        if (filled == buffer.length) {
          flushChunk();
        }
      }
    }

    @Override
    public void close() throws IOException {
      flushChunk();
      // the file stays open for IEND
    }

    private void flushChunk() throws IOException {
      if (filled > 0) {
        chunk((DataOutputStream) out, "IDAT", buffer, filled);
        filled = 0;
      }
    }
  }
}
