package dev.contraflow.io.image;

import static dev.contraflow.io.image.FashionMnistSubset.SIDE;
import static dev.contraflow.io.image.FashionMnistSubset.TRAIN_COUNT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

  private static final int IMAGES_HEADER_BYTES = 16;

  @TempDir Path tmp;

  @Test
  void readsAllThreeThousandImagesOfTheSubsetAsOneChannel28x28() throws IOException {
    List<Image> images = IdxReader.readImages(FashionMnistSubset.trainImages());

    assertEquals(TRAIN_COUNT, images.size());
    for (Image image : images) {
      assertEquals(1, image.channels());
      assertEquals(SIDE, image.height());
      assertEquals(SIDE, image.width());
    }
    assertEquals("0", images.get(0).id());
    assertEquals("2999", images.get(TRAIN_COUNT - 1).id());
  }

  @Test
  void pixelsAreTheFileBytesOver255() throws IOException {
    byte[] expected = gunzippedBytes(FashionMnistSubset.trainImages(),
        IMAGES_HEADER_BYTES, SIDE * SIDE);

    Image first = IdxReader.readImages(FashionMnistSubset.trainImages(), 1).get(0);

    for (int i = 0; i < expected.length; i++) {
      assertEquals((expected[i] & 0xff) / 255f, first.pixels()[i], 1e-7f, "pixel " + i);
    }
    // the first training image is an ankle boot: black corners, some full-white pixels
    assertEquals(0f, first.at(0, 0, 0));
    assertEquals(1f, first.at(0, 14, 25));
  }

  @Test
  void labelsOfTheSubsetAreFashionMnistClasses() throws IOException {
    int[] labels = IdxReader.readLabels(FashionMnistSubset.trainLabels());

    assertEquals(TRAIN_COUNT, labels.length);
    assertTrue(Arrays.stream(labels).allMatch(l -> l >= 0 && l <= 9), "labels in 0..9");
    assertEquals(10, Arrays.stream(labels).distinct().count(), "all ten classes occur");
    // ankle boot, T-shirt/top, T-shirt/top, dress: the published start of the training set
    assertArrayEquals(new int[] {9, 0, 0, 3}, Arrays.copyOf(labels, 4));
  }

  @Test
  void limitReadsOnlyTheFirstImages() throws IOException {
    List<Image> five = IdxReader.readImages(FashionMnistSubset.testImages(), 5);
    List<Image> all = IdxReader.readImages(FashionMnistSubset.testImages());

    assertEquals(5, five.size());
    assertEquals(FashionMnistSubset.TEST_COUNT, all.size());
    assertArrayEquals(all.get(4).pixels(), five.get(4).pixels());
  }

  @Test
  void readsUncompressedFilesAndGzipWithoutTheGzSuffix() throws IOException {
    Path plain = tmp.resolve("train-images-idx3-ubyte");
    Path gzipNoSuffix = tmp.resolve("images.idx");
    FashionMnistSubset.gunzip(FashionMnistSubset.trainImages(), plain);
    Files.copy(FashionMnistSubset.trainImages(), gzipNoSuffix);

    Image fromGz = IdxReader.readImages(FashionMnistSubset.trainImages(), 3).get(2);
    assertArrayEquals(fromGz.pixels(), IdxReader.readImages(plain, 3).get(2).pixels());
    assertArrayEquals(fromGz.pixels(), IdxReader.readImages(gzipNoSuffix, 3).get(2).pixels());
  }

  @Test
  void labelsFileReadAsImagesNamesThePathAndBothMagicNumbers() {
    Path labels = FashionMnistSubset.trainLabels();

    IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(labels));

    assertTrue(e.getMessage().contains(labels.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("0x00000801 (IDX labels)"), e.getMessage());
    assertTrue(e.getMessage().contains("expected 0x00000803"), e.getMessage());
  }

  @Test
  void truncatedImagesFileNamesThePathAndWhereTheDataEnds() throws IOException {
    Path file = tmp.resolve("short-idx3-ubyte");
    writeImagesHeader(file, 10, 4, 4, 2 * 16 + 5);  // 10 announced, 2 and a bit present

    IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(file));

    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    assertTrue(e.getMessage().contains("announces 10 images"), e.getMessage());
    assertTrue(e.getMessage().contains("ends in image 2"), e.getMessage());
  }

  @Test
  void fileEndingInsideTheHeaderIsTruncated() throws IOException {
    Path file = tmp.resolve("header-only");
    Files.write(file, new byte[] {0, 0, 8, 3, 0, 0});

    IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(file));

    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void truncatedLabelsFileSaysHowManyLabelsItHolds() throws IOException {
    Path file = tmp.resolve("labels");
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
      out.writeInt(IdxReader.LABELS_MAGIC);
      out.writeInt(5);
      out.write(new byte[] {1, 2, 3});
    }

    IOException e = assertThrows(IOException.class, () -> IdxReader.readLabels(file));

    assertTrue(e.getMessage().contains("announces 5 labels"), e.getMessage());
    assertTrue(e.getMessage().contains("holds 3"), e.getMessage());
  }

  @Test
  void gzSuffixOnAnUncompressedFileIsAClearError() throws IOException {
    Path file = tmp.resolve("images.gz");
    writeImagesHeader(file, 1, 2, 2, 4);

    IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(file));

    assertTrue(e.getMessage().contains("not a valid gzip file"), e.getMessage());
  }

  @Test
  void missingFileIsNamed() {
    Path missing = tmp.resolve("nowhere-idx3-ubyte");

    IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(missing));

    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  @Test
  void readsAllSixtyThousandImagesOfAFullSizeFile() throws IOException {
    Path file = tmp.resolve("sixty-thousand");
    writeImagesHeader(file, 60_000, SIDE, SIDE, 60_000 * SIDE * SIDE);

    List<Image> images = IdxReader.readImages(file);

    assertEquals(60_000, images.size());
    assertEquals("59999", images.get(59_999).id());
  }

  @Test
  void everyImageHasItsOwnBytesAcrossTheBlocksTheFileIsKeptIn() throws IOException {
    // 6,000 images of 28x28 span two of the reader's 4 MiB blocks; image i is all (i mod 251)
    int count = 6_000;
    int pixels = SIDE * SIDE;
    byte[] data = new byte[count * pixels];
    for (int i = 0; i < count; i++) {
      java.util.Arrays.fill(data, i * pixels, (i + 1) * pixels, (byte) (i % 251));
    }
    Path file = tmp.resolve("two-blocks");
    writeImagesHeader(file, count, SIDE, SIDE, 0);
    Files.write(file, data, java.nio.file.StandardOpenOption.APPEND);

    List<Image> images = IdxReader.readImages(file);

    assertEquals(count, images.size());
    for (int i : new int[] {0, 5_348, 5_349, 5_350, count - 1}) {
      Image image = images.get(i);
      assertEquals(Integer.toString(i), image.id());
      assertEquals((i % 251) / 255f, image.at(0, 0, 0), "first pixel of image " + i);
      assertEquals((i % 251) / 255f, image.at(0, SIDE - 1, SIDE - 1), "last pixel of image " + i);
    }
  }

  private static void writeImagesHeader(Path file, int count, int rows, int columns,
      int pixelBytes) throws IOException {
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
      out.writeInt(IdxReader.IMAGES_MAGIC);
      out.writeInt(count);
      out.writeInt(rows);
      out.writeInt(columns);
      out.write(new byte[pixelBytes]);
    }
  }

  private static byte[] gunzippedBytes(Path file, int skip, int length) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      in.skipNBytes(skip);
      return in.readNBytes(length);
    }
  }
}
