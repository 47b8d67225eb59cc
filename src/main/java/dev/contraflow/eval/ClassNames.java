package dev.contraflow.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The names of integer labels, for the report's legend: from a file with one name a line (line i
 * names label i), Fashion-MNIST's ten classes for its IDX files, or "label N" when unknown.
 */
public record ClassNames(List<String> names) {

  /** No names known: every label is "label N". */
  public static final ClassNames NONE = new ClassNames(List.of());

  /** Fashion-MNIST's classes, in label order (Xiao, Rasul and Vollgraf, 2017). */
  public static final ClassNames FASHION_MNIST = new ClassNames(List.of("T-shirt/top", "Trouser",
      "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"));

  public ClassNames {
    names = List.copyOf(names);
  }

  /** The name of {@code label}. */
  public String of(int label) {
    return label >= 0 && label < names.size() ? names.get(label) : "label " + label;
  }

  /** One name a line; blank lines and lines starting with # are skipped. */
  public static ClassNames read(Path file) throws IOException {
    return new ClassNames(Files.readAllLines(file).stream().map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList());
  }

  /**
   * The names for labelled images at {@code images}: a {@code class-names.txt} next to them (or
   * in the folder), Fashion-MNIST's when the path names it, else none.
   */
  public static ClassNames forImages(Path images) throws IOException {
    Path folder = Files.isDirectory(images) ? images : images.toAbsolutePath().getParent();
    Path file = folder == null ? null : folder.resolve("class-names.txt");
    if (file != null && Files.isRegularFile(file)) {
      return read(file);
    }
    return images.toAbsolutePath().toString().toLowerCase(Locale.ROOT).contains("fashion")
        ? FASHION_MNIST : NONE;
  }
}
