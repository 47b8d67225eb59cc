package dev.contraflow.io.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSourceTest {

  private final ImageDecoder decoder = new ImageDecoder(EncoderInput.of(1, 2, 2));

  @TempDir Path tmp;

  @Test
  void folderOfImagesIsReadInFileNameOrderWithIndexIds() throws IOException {
    writeGreyPng(tmp.resolve("b.png"), 20);
    writeGreyPng(tmp.resolve("a.png"), 10);
    writeGreyPng(tmp.resolve("c.PNG"), 30);
    Files.writeString(tmp.resolve("notes.txt"), "not an image");

    ImageSource source = ImageSource.open(tmp, 0, decoder);
    List<Image> images = accepted(source);

    assertEquals(3, source.size());
    assertEquals(1, source.ignoredFiles(), "notes.txt is counted, not read");
    assertEquals(List.of("0", "1", "2"), images.stream().map(Image::id).toList());
    assertEquals(10 / 255f, images.get(0).at(0, 0, 0), 1e-6f, "a.png first");
    assertEquals(20 / 255f, images.get(1).at(0, 0, 0), 1e-6f, "b.png second");
    assertEquals(30 / 255f, images.get(2).at(0, 0, 0), 1e-6f, "c.PNG third");
  }

  @Test
  void limitTakesTheFirstFilesByName() throws IOException {
    writeGreyPng(tmp.resolve("2.png"), 2);
    writeGreyPng(tmp.resolve("1.png"), 1);
    writeGreyPng(tmp.resolve("3.png"), 3);

    List<Image> images = accepted(ImageSource.open(tmp, 2, decoder));

    assertEquals(2, images.size());
    assertEquals(1 / 255f, images.get(0).at(0, 0, 0), 1e-6f);
  }

  @Test
  void undecodableFileIsRefusedWithItsReasonAndTheIdsAfterItDoNotShift() throws IOException {
    writeGreyPng(tmp.resolve("a.png"), 1);
    Path broken = tmp.resolve("b.png");
    Files.writeString(broken, "this is text");
    writeGreyPng(tmp.resolve("c.png"), 3);

    List<ImageSource.Item> items;
    try (Stream<ImageSource.Item> all = ImageSource.open(tmp, 0, decoder).items()) {
      items = all.toList();
    }

    assertEquals(3, items.size());
    ImageSource.Item refused = items.get(1);
    assertNull(refused.image());
    assertEquals(broken, refused.file());
    assertTrue(refused.refusal().contains("unknown image format"), refused.refusal());
    assertTrue(refused.describe().contains(broken.toString()), refused.describe());
    assertEquals("2", items.get(2).image().id(), "c.png keeps its position as its id");
  }

  @Test
  void everyPassReadsTheFolderAgainAndTellsOfEachRefusal() throws IOException {
    writeGreyPng(tmp.resolve("a.png"), 1);
    Files.writeString(tmp.resolve("b.jpg"), "not a jpeg");
    List<String> refusals = new ArrayList<>();
    Iterable<Image> accepted = ImageSource.open(tmp, 0, decoder)
        .accepted(item -> refusals.add(item.id()));

    int seen = 0;
    for (int pass = 0; pass < 2; pass++) {
      for (Image image : accepted) {
        assertEquals("0", image.id());
        seen++;
      }
    }

    assertEquals(2, seen);
    assertEquals(List.of("1", "1"), refusals);
  }

  @Test
  void folderWithoutImagesIsAnError() throws IOException {
    Files.writeString(tmp.resolve("notes.txt"), "not an image");

    IOException e = assertThrows(IOException.class, () -> ImageSource.open(tmp, 0, decoder));

    assertTrue(e.getMessage().contains("no train-images-idx3-ubyte"), e.getMessage());
  }

  @Test
  void fashionMnistFolderYieldsItsTrainingImagesAtTheEncodersInputAndHasLabels()
      throws IOException {
    Path folder = FashionMnistSubset.folder();

    ImageSource source = ImageSource.open(folder, 0,
        new ImageDecoder(EncoderInput.of(3, 32, 32)));
    List<Image> images = accepted(source);
    int[] labels = ImageSource.labelsFor(folder).orElseThrow();

    assertEquals(FashionMnistSubset.TRAIN_COUNT, images.size());
    assertEquals(3 * 32 * 32, images.get(0).size(), "28 x 28 grey resized and replicated");
    assertArrayEquals(IdxReader.readLabels(FashionMnistSubset.trainLabels()), labels);
  }

  @Test
  void idxFileIsReadDirectlyAndFindsTheLabelsOfItsSplit() throws IOException {
    Path testImages = FashionMnistSubset.testImages();
    ImageDecoder native28 = new ImageDecoder(EncoderInput.of(1, 28, 28));

    List<Image> seven = accepted(ImageSource.open(testImages, 7, native28));

    assertEquals(7, seven.size());
    assertArrayEquals(IdxReader.readImages(testImages, 7).get(6).pixels(),
        seven.get(6).pixels(), "at its own size an IDX image is passed through");
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
        () -> ImageSource.open(tmp.resolve("no-such-folder"), 0, decoder));

    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    assertTrue(e.getMessage().contains("scripts/fetch-fashion-mnist.sh"), e.getMessage());
  }

  private static List<Image> accepted(ImageSource source) throws IOException {
    try (Stream<ImageSource.Item> items = source.items()) {
      return items.map(ImageSource.Item::image).toList();
    }
  }

  private static void writeGreyPng(Path file, int level) throws IOException {
    BufferedImage grey = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setPixels(0, 0, 2, 2, new int[] {level, level, level, level});
    Files.write(file, EncodedImages.encode(grey, "png"));
  }
}
