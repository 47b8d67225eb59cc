package dev.contraflow.io.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ExifOrientationTest {

  /** Stored 2 rows x 3 columns: 1 2 3 / 4 5 6. */
  private static final Image STORED =
      new Image("o", 1, 2, 3, new float[] {1, 2, 3, 4, 5, 6});

  @ParameterizedTest(name = "orientation {0} shows {1}x{2}: {3}")
  @CsvSource({
      "1, 2, 3, 1 2 3 4 5 6",
      "2, 2, 3, 3 2 1 6 5 4",  // mirrored
      "3, 2, 3, 6 5 4 3 2 1",  // rotated 180
      "4, 2, 3, 4 5 6 1 2 3",  // flipped
      "5, 3, 2, 1 4 2 5 3 6",  // transposed
      "6, 3, 2, 4 1 5 2 6 3",  // rotated 90 clockwise: the stored left column is the top row
      "7, 3, 2, 6 3 5 2 4 1",  // transversed
      "8, 3, 2, 3 6 2 5 1 4"}) // rotated 90 counter-clockwise
  void everyOrientationTurnsThePixelsAsPilsExifTransposeDoes(int orientation, int height,
      int width, String rows) {
    Image shown = ExifOrientation.apply(STORED, orientation);

    assertEquals(height, shown.height());
    assertEquals(width, shown.width());
    String[] values = rows.split(" ");
    float[] expected = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      expected[i] = Float.parseFloat(values[i]);
    }
    assertArrayEquals(expected, shown.pixels());
  }

  @ParameterizedTest(name = "orientation {0}, little-endian {1}")
  @CsvSource({"6, true", "6, false", "3, true", "8, false"})
  void theTagIsReadInEitherByteOrder(int orientation, boolean littleEndian) throws Exception {
    byte[] jpeg = EncodedImages.withExifOrientation(
        EncodedImages.encode(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "jpg"),
        orientation, littleEndian);

    try (var in = new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg))) {
      assertEquals(orientation, ExifOrientation.read(in));
      assertEquals(0, in.getStreamPosition(), "the stream is left at its start");
    }
  }

  @Test
  void aJpegWithoutExifIsAsStored() throws Exception {
    byte[] jpeg = EncodedImages.encode(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "jpg");

    try (var in = new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg))) {
      assertEquals(ExifOrientation.AS_STORED, ExifOrientation.read(in));
    }
  }

  @Test
  void aMalformedTagValueIsAsStored() throws Exception {
    byte[] jpeg = EncodedImages.withExifOrientation(
        EncodedImages.encode(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "jpg"), 9, true);

    try (var in = new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg))) {
      assertEquals(ExifOrientation.AS_STORED, ExifOrientation.read(in));
    }
  }
}
