package dev.contraflow.io.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSourceTest {

  private final ImageDecoder decoder = new ImageDecoder();

  @TempDir Path tmp;

  @Test
  void folderOfImagesLoadsInFileNameOrderWithIndexIds() throws IOException {
    writeGreyPng(tmp.resolve("b.png"), 20);
    writeGreyPng(tmp.resolve("a.png"), 10);
    writeGreyPng(tmp.resolve("c.PNG"), 30);
    Files.writeString(tmp.resolve("notes.txt"), "not an image");

    List<Image> images = ImageSource.load(tmp, 0, decoder);

    assertEquals(List.of("0", "1", "2"), images.stream().map(Image::id).toList());
    assertEquals(10 / 255f, images.get(0).at(0, 0, 0), 1e-6f, "a.png first");
    assertEquals(20 / 255f, images.get(1).at(0, 0, 0), 1e-6f, "b.png second");
    assertEquals(30 / 255f, images.get(2).at(0, 0, 0), 1e-6f, "c.PNG third");
  }

  @Test
  void limitLoadsTheFirstFilesByName() throws IOException {
    writeGreyPng(tmp.resolve("2.png"), 2);
    writeGreyPng(tmp.resolve("1.png"), 1);
    writeGreyPng(tmp.resolve("3.png"), 3);

    List<Image> images = ImageSource.load(tmp, 2, decoder);

    assertEquals(2, images.size());
    assertEquals(1 / 255f, images.get(0).at(0, 0, 0), 1e-6f);
  }

  @Test
  void undecodableFileInAFolderIsNamedWithTheReason() throws IOException {
    writeGreyPng(tmp.resolve("a.png"), 1);
    Path broken = tmp.resolve("b.png");
    Files.writeString(broken, "this is text");

    IOException e = assertThrows(IOException.class, () -> ImageSource.load(tmp, 0, decoder));

    assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("unknown image format"), e.getMessage());
  }

  @Test
  void folderWithoutImagesIsAnError() throws IOException {
    Files.writeString(tmp.resolve("notes.txt"), "not an image");

    IOException e = assertThrows(IOException.class, () -> ImageSource.load(tmp, 0, decoder));

    assertTrue(e.getMessage().contains("no train-images-idx3-ubyte"), e.getMessage());
  }

  @Test
  void fashionMnistFolderLoadsItsTrainingImagesAndLabels() throws IOException {
    Path folder = FashionMnistSubset.folder();

    List<Image> images = ImageSource.load(folder, 0, decoder);
    int[] labels = ImageSource.labelsFor(folder).orElseThrow();

    assertEquals(FashionMnistSubset.TRAIN_COUNT, images.size());
    assertArrayEquals(IdxReader.readLabels(FashionMnistSubset.trainLabels()), labels);
  }

  @Test
  void idxFileLoadsDirectlyAndFindsTheLabelsOfItsSplit() throws IOException {
    Path testImages = FashionMnistSubset.testImages();

    assertEquals(7, ImageSource.load(testImages, 7, decoder).size());
    assertEquals(FashionMnistSubset.TEST_COUNT,
        ImageSource.labelsFor(testImages).orElseThrow().length);
  }

  @Test
  void labelsAreFoundWhetherOrNotTheyAreGzippedLikeTheImages() throws IOException {
    Path images = tmp.resolve("t10k-images-idx3-ubyte");
    FashionMnistSubset.gunzip(FashionMnistSubset.testImages(), images);
    Files.copy(FashionMnistSubset.folder().resolve("t10k-labels-idx1-ubyte.gz"),
        tmp.resolve("t10k-labels-idx1-ubyte.gz"));

    assertEquals(FashionMnistSubset.TEST_COUNT, ImageSource.labelsFor(images).orElseThrow().length);
  }

  @Test
  void imagesWithoutALabelsFileHaveNoLabels() throws IOException {
    writeGreyPng(tmp.resolve("a.png"), 1);
    Path lonelyIdx = tmp.resolve("train-images-idx3-ubyte.gz");
    Files.copy(FashionMnistSubset.trainImages(), lonelyIdx);

    assertTrue(ImageSource.labelsFor(tmp.resolve("a.png")).isEmpty());
    assertTrue(ImageSource.labelsFor(lonelyIdx).isEmpty());
  }

  @Test
  void missingPathPointsToTheFetchScript() {
    IOException e = assertThrows(IOException.class,
        () -> ImageSource.load(tmp.resolve("no-such-folder"), 0, decoder));

    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    assertTrue(e.getMessage().contains("scripts/fetch-fashion-mnist.sh"), e.getMessage());
  }

  private static void writeGreyPng(Path file, int level) throws IOException {
    BufferedImage grey = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setPixels(0, 0, 2, 2, new int[] {level, level, level, level});
    Files.write(file, EncodedImages.encode(grey, "png"));
  }
}
