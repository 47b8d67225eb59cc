package dev.contraflow.bench;

import dev.contraflow.io.image.Image;
import java.util.List;
import java.util.Random;

/**
 * Captions for Fashion-MNIST images, TEMPLATED FROM THE CLASS LABEL: Fashion-MNIST has no
 * captions, and real image-caption data cannot be downloaded here, so each caption is a template
 * filled with words for the image's class (several nouns and descriptive phrases per class, some
 * shared between classes as real descriptions are: a coat and a shirt both have buttons down the
 * front) and one attribute read from the pixels, its tone (mean intensity of the garment's
 * pixels, as the image is shown: light garment on black). Labels and pixels are all a caption
 * knows; captions of the same class and tone differ only in wording.
 *
 * <p>So a CLIP model trained on them can learn class and tone, not more: retrieval of one image's
 * own caption among many of the same class and tone is a guess, and {@link #sameClassAndTone}
 * gives the ceiling that guess allows.
 */
public final class FashionCaptions {

  /** The words for one class: nouns (the first is the zero-shot prompt's) and details. */
  private record Garment(List<String> nouns, List<String> details) {}

  private static final List<Garment> CLASSES = List.of(
      new Garment(List.of("t-shirt", "top", "tee"),
          List.of("with short sleeves", "with a round neck", "made of cotton jersey")),
      new Garment(List.of("pair of trousers", "pair of pants", "pair of slacks"),
          List.of("with two long legs", "with a straight cut", "with a waistband")),
      new Garment(List.of("pullover", "sweater", "jumper"),
          List.of("with long sleeves", "knitted from wool", "with ribbed cuffs")),
      new Garment(List.of("dress", "frock", "gown"),
          List.of("with a flared skirt", "that reaches the knee", "without sleeves")),
      new Garment(List.of("coat", "jacket", "overcoat"),
          List.of("with buttons down the front", "with a collar and long sleeves",
              "for cold weather")),
      new Garment(List.of("sandal", "summer sandal", "strappy sandal"),
          List.of("with open toes", "with thin straps", "with a flat sole")),
      new Garment(List.of("shirt", "blouse", "button-down shirt"),
          List.of("with a collar", "with buttons down the front", "with long sleeves")),
      new Garment(List.of("sneaker", "trainer", "running shoe"),
          List.of("with laces", "with a rubber sole", "for sport")),
      new Garment(List.of("bag", "handbag", "tote bag"),
          List.of("with a handle", "with a shoulder strap", "made of leather")),
      new Garment(List.of("ankle boot", "boot", "leather boot"),
          List.of("with a heel", "that covers the ankle", "with a zip on the side")));

  /** Fill-ins: noun, detail, tone. */
  @FunctionalInterface
  private interface Template {
    String fill(String noun, String detail, String tone);
  }

  private static final List<Template> TEMPLATES = List.of(
      (n, d, t) -> "a photo of " + article(n) + " " + n,
      (n, d, t) -> "a " + t + " " + n,
      (n, d, t) -> article(n) + " " + n + " " + d,
      (n, d, t) -> "a " + t + " " + n + " " + d,
      (n, d, t) -> "a product photo of a " + t + " " + n,
      (n, d, t) -> "a picture of " + article(n) + " " + n + ", " + d,
      (n, d, t) -> "this " + n + " is " + t);

  /** Tercile boundaries of the tone over Fashion-MNIST's training images. */
  private static final double DARK_BELOW = 0.56;
  private static final double LIGHT_ABOVE = 0.72;
  private static final float FOREGROUND = 0.1f;

  public static final int CLASS_COUNT = CLASSES.size();

  private FashionCaptions() {}

  /** One caption for an image of class {@code label}: a random template and random words. */
  public static String caption(Image image, int label, Random random) {
    Garment g = garment(label);
    String noun = g.nouns().get(random.nextInt(g.nouns().size()));
    String detail = g.details().get(random.nextInt(g.details().size()));
    return TEMPLATES.get(random.nextInt(TEMPLATES.size())).fill(noun, detail, tone(image));
  }

  /** The zero-shot prompt of a class: "a photo of a pullover". */
  public static String prompt(int label) {
    String noun = garment(label).nouns().get(0);
    return "a photo of " + article(noun) + " " + noun;
  }

  /** "dark", "grey" or "light": the mean intensity of the pixels brighter than the background. */
  public static String tone(Image image) {
    double sum = 0;
    int n = 0;
    for (float v : image.pixels()) {
      if (v > FOREGROUND) {
        sum += v;
        n++;
      }
    }
    double mean = n == 0 ? 0 : sum / n;
    return mean < DARK_BELOW ? "dark" : mean > LIGHT_ABOVE ? "light" : "grey";
  }

  /**
   * For each image, how many of the images (itself included) share its class and tone: the
   * captions a model that knows class and tone exactly cannot tell apart.
   */
  public static int[] sameClassAndTone(List<Image> images, int[] labels) {
    int[] key = new int[images.size()];
    int[] count = new int[CLASS_COUNT * 3];
    for (int i = 0; i < key.length; i++) {
      key[i] = labels[i] * 3 + List.of("dark", "grey", "light").indexOf(tone(images.get(i)));
      count[key[i]]++;
    }
    int[] out = new int[key.length];
    for (int i = 0; i < key.length; i++) {
      out[i] = count[key[i]];
    }
    return out;
  }

  private static Garment garment(int label) {
    if (label < 0 || label >= CLASSES.size()) {
      throw new IllegalArgumentException("Fashion-MNIST labels are 0-9, got " + label);
    }
    return CLASSES.get(label);
  }

  private static String article(String noun) {
    return "aeiou".indexOf(noun.charAt(0)) >= 0 ? "an" : "a";
  }
}
