package dev.contraflow.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.contraflow.io.image.Image;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComposeTest {

  private static final ImageAugmentation SET_QUARTER = (in, rng) -> filled(in, 0.25f);
  private static final ImageAugmentation DOUBLE = (in, rng) -> {
    float[] px = in.pixels().clone();
    for (int i = 0; i < px.length; i++) {
      px[i] *= 2;
    }
    return new Image(in.id(), in.channels(), in.height(), in.width(), px);
  };

  @Test
  void appliesStepsInListOrder() {
    Image in = SampleImages.constant(1, 2, 2, 0.1f);
    assertEquals(0.5f, new Compose(List.of(SET_QUARTER, DOUBLE)).apply(in, new Rng(0)).at(0, 0, 0));
    assertEquals(0.25f, new Compose(List.of(DOUBLE, SET_QUARTER)).apply(in, new Rng(0)).at(0, 0, 0));
  }

  @Test
  void emptyCompositionIsTheIdentity() {
    Image in = SampleImages.noise(3, 2, 2, 1);
    assertSame(in, new Compose(List.of()).apply(in, new Rng(0)));
  }

  @Test
  void rejectsNullSteps() {
    assertThrows(IllegalArgumentException.class,
        () -> new Compose(Arrays.asList(SET_QUARTER, null)));
  }

  private static Image filled(Image in, float value) {
    float[] px = new float[in.size()];
    Arrays.fill(px, value);
    return new Image(in.id(), in.channels(), in.height(), in.width(), px);
  }
}
