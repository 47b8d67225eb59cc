package dev.contraflow.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.image.Image;
import java.util.List;
import org.junit.jupiter.api.Test;

class ViewFamilyTest {

  @Test
  void cmcTakesTheFirstVFamiliesInOrder() {
    assertEquals(List.of(ViewFamily.GEOMETRIC, ViewFamily.PHOTOMETRIC), ViewFamily.first(2));
    assertEquals(List.of(ViewFamily.values()), ViewFamily.first(3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ViewFamily.first(1));
    assertTrue(e.getMessage().contains("CMC views must be in 2..3, got 1"), e.getMessage());
  }

  @Test
  void withoutACropPerViewOnlyTheGeometricFamilyMovesPixelsAndTheErasingOneKeepsTheRest() {
    Image in = SampleImages.noise(1, 16, 16, 2);
    Image erased = ViewFamily.ERASING.recipe(16, 16, 0.2, false).apply(in, new Rng(3));
    int kept = 0;
    for (int i = 0; i < in.size(); i++) {
      kept += in.pixels()[i] == erased.pixels()[i] ? 1 : 0;
    }
    // erasing hides 2-33% of the image and leaves every other pixel where it was
    assertTrue(kept >= 0.66 * in.size() && kept < in.size(), kept + " of " + in.size() + " kept");
    Image geometric = ViewFamily.GEOMETRIC.recipe(16, 16, 0.2, false).apply(in, new Rng(3));
    Image croppedErased = ViewFamily.ERASING.recipe(16, 16, 0.2, true).apply(in, new Rng(3));
    assertFalse(java.util.Arrays.equals(erased.pixels(), croppedErased.pixels()),
        "with a crop per view the erasing view is cropped first");
    assertEquals(16, geometric.height());
    assertEquals(16, croppedErased.width());
  }

  @Test
  void everyFamilyIsAPureFunctionOfTheImageAndTheGenerator() {
    Image in = SampleImages.noise(3, 12, 12, 5);
    for (ViewFamily f : ViewFamily.values()) {
      for (boolean crop : new boolean[] {false, true}) {
        ImageAugmentation recipe = f.recipe(10, 10, 0.3, crop);
        assertArrayEquals(recipe.apply(in, new Rng(4)).pixels(),
            recipe.apply(in, new Rng(4)).pixels(), f + " crop " + crop);
      }
    }
  }
}
