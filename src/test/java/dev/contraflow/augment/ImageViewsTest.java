package dev.contraflow.augment;

import static dev.contraflow.augment.SampleImages.assertInUnitRange;
import static dev.contraflow.augment.SampleImages.assertSameImage;
import static dev.contraflow.augment.SampleImages.noise;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.image.Image;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageViewsTest {

  private final ImageViews views = ImageViews.mocoV2(16, 16);

  @Test
  void sameSeedGivesBitIdenticalViews() {
    Image in = noise(3, 20, 24, 1);
    for (long seed = 0; seed < 20; seed++) {
      assertSameImage(views.view(in, new Rng(seed)), views.view(in, new Rng(seed)));
      Image[] first = views.twoViews(in, new Rng(seed));
      Image[] second = views.twoViews(in, new Rng(seed));
      assertSameImage(first[0], second[0]);
      assertSameImage(first[1], second[1]);
    }
  }

  @Test
  void differentSeedsGiveDifferentViews() {
    Image in = noise(3, 20, 24, 1);
    assertFalse(Arrays.equals(views.view(in, new Rng(1)).pixels(),
        views.view(in, new Rng(2)).pixels()));
  }

  @Test
  void viewsHaveTheConfiguredSizeAndStayInUnitRangeForGreyAndColour() {
    int[][] inputSizes = {{28, 28}, {16, 16}, {9, 40}, {64, 48}, {5, 5}, {1, 1}};
    Rng rng = new Rng(7);
    for (int channels : new int[] {1, 3}) {
      for (int[] size : inputSizes) {
        Image in = noise(channels, size[0], size[1], 11);
        for (int draw = 0; draw < 100; draw++) {
          Image out = views.view(in, rng.split());
          assertEquals(channels, out.channels());
          assertEquals(16, out.height());
          assertEquals(16, out.width());
          assertEquals(in.id(), out.id());
          assertInUnitRange(out);
        }
      }
    }
  }

  @Test
  void viewsOfNonSquareConfigurationHaveThatShape() {
    Image out = ImageViews.mocoV2(12, 20).view(noise(3, 30, 30, 2), new Rng(3));
    assertEquals(12, out.height());
    assertEquals(20, out.width());
  }

  @Test
  void inputIsNeverMutated() {
    for (int channels : new int[] {1, 3}) {
      Image in = noise(channels, 16, 16, 5);
      float[] before = in.pixels().clone();
      Rng rng = new Rng(9);
      for (int draw = 0; draw < 50; draw++) {
        views.twoViews(in, rng);
        ImageViews.none(16, 16).view(in, rng);
        ImageViews.none(8, 8).view(in, rng);
      }
      assertArrayEquals(before, in.pixels());
    }
  }

  @Test
  void twoViewsDifferAndEachIsTheViewOfItsOwnSplit() {
    Image in = noise(3, 32, 32, 4);
    Image[] two = views.twoViews(in, new Rng(42));

    Rng replay = new Rng(42);
    Rng query = replay.split();
    Rng key = replay.split();
    assertSameImage(views.view(in, query), two[0]);
    assertSameImage(views.view(in, key), two[1]);
    assertFalse(Arrays.equals(two[0].pixels(), two[1].pixels()));
  }

  @Test
  void twoViewsAdvanceTheCallersGeneratorByExactlyTwoSplits() {
    Rng used = new Rng(5);
    views.twoViews(noise(1, 8, 8, 1), used);
    Rng expected = new Rng(5);
    expected.split();
    expected.split();
    assertEquals(expected.state(), used.state());
  }

  @Test
  void noneOnlyResizes() {
    Image in = noise(3, 16, 16, 6);
    ImageViews plain = ImageViews.none(16, 16);
    assertSame(in, plain.view(in, new Rng(1)));
    assertSameImage(plain.view(in, new Rng(1)), plain.view(in, new Rng(2)));

    Image shrunk = ImageViews.none(8, 4).view(in, new Rng(1));
    assertEquals(8, shrunk.height());
    assertEquals(4, shrunk.width());
  }

  @Test
  void configDefaultsAreMocoV2s() {
    ImageViews.Config config = ImageViews.Config.mocoV2(224, 224);
    assertEquals(0.2, config.cropScaleMin());
    assertEquals(1.0, config.cropScaleMax());
    assertEquals(0.75, config.cropRatioMin());
    assertEquals(4.0 / 3.0, config.cropRatioMax());
    assertEquals(0.8, config.jitterProbability());
    assertEquals(0.4, config.brightness());
    assertEquals(0.4, config.contrast());
    assertEquals(0.4, config.saturation());
    assertEquals(0.1, config.hue());
    assertEquals(0.2, config.grayscaleProbability());
    assertEquals(0.5, config.blurProbability());
    assertEquals(0.1, config.blurSigmaMin());
    assertEquals(2.0, config.blurSigmaMax());
    assertEquals(0.5, config.flipProbability());
    assertEquals(0.5, config.withCropScaleMin(0.5).cropScaleMin());
  }

  @Test
  void mocoV2WithCropScaleMinEqualsTheConfiguredRecipe() {
    Image in = noise(3, 20, 20, 8);
    ImageViews viaFactory = ImageViews.mocoV2(16, 16, 0.5);
    ImageViews viaConfig = new ImageViews(ImageViews.Config.mocoV2(16, 16).withCropScaleMin(0.5));
    assertSameImage(viaConfig.view(in, new Rng(3)), viaFactory.view(in, new Rng(3)));
  }

  @Test
  void badConfigFailsNamingTheFieldAndValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ImageViews(ImageViews.Config.mocoV2(16, 16).withCropScaleMin(1.5)));
    assertTrue(e.getMessage().contains("scaleMin") && e.getMessage().contains("1.5"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ImageViews.none(0, 16));
  }
}
