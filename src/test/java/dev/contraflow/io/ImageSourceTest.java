package dev.contraflow.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSourceTest {

  private static void png(Path file, int grey) throws IOException {
    BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setSample(0, 0, 0, grey);
    ImageIO.write(img, "png", file.toFile());
  }

  @Test
  void folderOfPngsLoadsInFileNameOrder(@TempDir Path dir) throws Exception {
    png(dir.resolve("b.png"), 255);
    png(dir.resolve("a.png"), 0);
    Files.writeString(dir.resolve("notes.txt"), "not an image");
    List<Image> images = ImageSource.load(dir, 0, new ImageDecoder());
    assertEquals(2, images.size());
    assertEquals("0", images.get(0).id());
    assertEquals(0f, images.get(0).pixels()[0]); // a.png
    assertEquals(1f, images.get(1).pixels()[0]); // b.png
  }

  @Test
  void corruptFileInAFolderNamesTheFile(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("bad.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0, 1});
    IOException e = assertThrows(IOException.class,
        () -> ImageSource.load(dir, 0, new ImageDecoder()));
    assertTrue(e.getMessage().contains("bad.png"), e.getMessage());
  }

  @Test
  void fashionMnistFolderGivesTrainingImagesAndTheirLabels() throws Exception {
    Path subset = IdxReaderTest.SUBSET;
    assertEquals(3000, ImageSource.load(subset, 0, new ImageDecoder()).size());
    assertEquals(3000, ImageSource.labelsFor(subset).orElseThrow().length);
    assertEquals(1000, ImageSource.labelsFor(subset.resolve("t10k-images-idx3-ubyte.gz"))
        .orElseThrow().length);
  }

  @Test
  void missingPathPointsAtTheFetchScript() {
    IOException e = assertThrows(IOException.class,
        () -> ImageSource.load(Path.of("no/such/dir"), 0, new ImageDecoder()));
    assertTrue(e.getMessage().contains("fetch-fashion-mnist.sh"), e.getMessage());
  }
}
