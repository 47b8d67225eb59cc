package dev.contraflow.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.image.Image;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FashionCaptionsTest {

  @Test
  void captionsNameTheClassOrItsSynonymsAndAreReproducible() {
    Image pullover = uniform("p", 0.9f);
    Random a = new Random(1);
    Random b = new Random(1);
    for (int i = 0; i < 50; i++) {
      String caption = FashionCaptions.caption(pullover, 2, a);
      assertEquals(caption, FashionCaptions.caption(pullover, 2, b));
      assertTrue(List.of("pullover", "sweater", "jumper").stream().anyMatch(caption::contains),
          caption);
    }
  }

  @Test
  void zeroShotPromptsTakeTheRightArticle() {
    assertEquals("a photo of a pullover", FashionCaptions.prompt(2));
    assertEquals("a photo of an ankle boot", FashionCaptions.prompt(9));
  }

  @Test
  void toneIsReadFromTheGarmentsPixelsNotTheBackground() {
    assertEquals("light", FashionCaptions.tone(uniform("a", 0.9f)));
    assertEquals("grey", FashionCaptions.tone(uniform("b", 0.6f)));
    assertEquals("dark", FashionCaptions.tone(uniform("c", 0.3f)));
  }

  @Test
  void theCeilingCountsImagesOfTheSameClassAndTone() {
    List<Image> images = List.of(uniform("a", 0.9f), uniform("b", 0.95f), uniform("c", 0.3f),
        uniform("d", 0.9f));
    assertArrayEquals(new int[] {2, 2, 1, 1},
        FashionCaptions.sameClassAndTone(images, new int[] {4, 4, 4, 5}));
  }

  @Test
  void aLabelOutsideFashionMnistIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FashionCaptions.prompt(10));
    assertTrue(e.getMessage().contains("labels are 0-9, got 10"), e.getMessage());
  }

  /** A 28 x 28 image: a 10 x 10 square of {@code value} on black. */
  private static Image uniform(String id, float value) {
    float[] px = new float[28 * 28];
    for (int y = 9; y < 19; y++) {
      for (int x = 9; x < 19; x++) {
        px[y * 28 + x] = value;
      }
    }
    return new Image(id, 1, 28, 28, px);
  }
}
