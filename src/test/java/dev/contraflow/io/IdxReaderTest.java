package dev.contraflow.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

  static final Path SUBSET = Path.of("src/test/resources/fashion-mnist-subset");

  @Test
  void readsTheCommittedFashionMnistSubset() throws Exception {
    List<Image> images = IdxReader.readImages(SUBSET.resolve("train-images-idx3-ubyte.gz"));
    int[] labels = IdxReader.readLabels(SUBSET.resolve("train-labels-idx1-ubyte.gz"));
    assertEquals(3000, images.size());
    assertEquals(3000, labels.length);
    assertEquals(28, images.get(0).height());
    assertEquals(28, images.get(0).width());
    assertEquals("17", images.get(17).id());
    for (int label : labels) {
      assertTrue(label >= 0 && label <= 9, "label " + label);
    }
    // the first image's pixels are the raw bytes after the 16-byte header, divided by 255
    byte[] raw;
    try (InputStream in = new GZIPInputStream(
        Files.newInputStream(SUBSET.resolve("train-images-idx3-ubyte.gz")))) {
      raw = in.readNBytes(16 + 784);
    }
    float[] px = images.get(0).pixels();
    for (int p = 0; p < 784; p++) {
      assertEquals((raw[16 + p] & 0xff) / 255f, px[p], 0f, "pixel " + p);
    }
  }

  @Test
  void limitReadsOnlyTheFirstImages() throws Exception {
    assertEquals(5, IdxReader.readImages(SUBSET.resolve("t10k-images-idx3-ubyte.gz"), 5).size());
  }

  @Test
  void wrongMagicNamesTheFileAndTheMagic(@TempDir Path dir) throws Exception {
    Path labels = SUBSET.resolve("train-labels-idx1-ubyte.gz");
    IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(labels));
    assertTrue(e.getMessage().contains("is not an IDX images file (magic 0x00000801"),
        e.getMessage());
  }

  @Test
  void truncatedFileSaysWhereTheDataEnds(@TempDir Path dir) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(16 + 4 * 4 + 2);
    b.putInt(0x00000803).putInt(10).putInt(2).putInt(2); // announces 10 images of 2x2
    Path f = dir.resolve("short-idx3-ubyte");
    Files.write(f, b.array());
    IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(f));
    assertTrue(e.getMessage().contains("announces 10 entries but the data ends at entry 4"),
        e.getMessage());
  }
}
