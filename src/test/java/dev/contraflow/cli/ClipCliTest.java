package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.image.IdxReader;
import dev.contraflow.io.image.Image;
import dev.contraflow.learn.ModelFile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --pairs} and {@code embed} with a CLIP model, on a tiny pairs file. */
class ClipCliTest {

  private static final Path SUBSET = Path.of("src/test/resources/fashion-mnist-subset");
  private static final String[] CLASSES = {"t-shirt", "pair of trousers", "pullover", "dress",
      "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"};

  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Contraflow.run(new PrintWriter(err, true), args);
  }

  @Test
  void trainOnPairsThenEmbedImagesAndSentencesIntoOneSpace(@TempDir Path dir) throws Exception {
    Path pairs = writePairs(dir, 24);
    Path model = dir.resolve("clip.cfm");
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, run("train", "--pairs", pairs.toString(), "--passes", "2", "--batch-size",
          "8", "--width", "4", "--text-width", "8", "--buckets", "256", "--head-hidden", "16",
          "--dim", "8", "--model-out", model.toString()), err.toString());
    } finally {
      System.setErr(original);
    }
    String report = stderr.toString(StandardCharsets.UTF_8);
    assertTrue(report.contains("dead letter: line 24: no tab"), report);
    assertTrue(report.contains("| scale "), report);
    ModelFile.PairModel m = ModelFile.readPairModel(model);
    assertEquals(6, m.state().step()); // 24 usable pairs x 2 passes / 8
    assertEquals("48", m.provenance().get("samples"));
    assertEquals(28, m.config().image().height());

    Path images = dir.resolve("images.jsonl");
    assertEquals(0, run("embed", "--model", model.toString(), "--images", dir.resolve("png")
        .toString(), "--limit", "5", "--out", images.toString()), err.toString());
    Path sentences = dir.resolve("captions.txt");
    Files.writeString(sentences, "a photo of a sandal\na photo of a bag\n");
    Path texts = dir.resolve("texts.jsonl");
    assertEquals(0, run("embed", "--model", model.toString(), "--sentences",
        sentences.toString(), "--out", texts.toString()), err.toString());
    List<float[]> imageVectors = vectors(images);
    List<float[]> textVectors = vectors(texts);
    assertEquals(5, imageVectors.size());
    assertEquals(2, textVectors.size());
    for (float[] v : List.of(imageVectors.get(0), textVectors.get(1))) {
      assertEquals(8, v.length); // both in the shared projection space
      double norm = 0;
      for (float x : v) {
        norm += x * x;
      }
      assertEquals(1.0, Math.sqrt(norm), 1e-4);
    }
  }

  @Test
  void pairsAndImagesTogetherAreRefused(@TempDir Path dir) throws Exception {
    assertEquals(2, run("train", "--pairs", writePairs(dir, 4).toString(), "--images",
        SUBSET.toString(), "--model-out", dir.resolve("m.cfm").toString()));
    assertTrue(err.toString().contains("give one of --images, --sentences or --pairs"),
        err.toString());
  }

  @Test
  void benchClipHasHelp() {
    assertEquals(0, run("bench", "clip", "--help"));
  }

  /** n Fashion-MNIST images as PNG files with templated captions, and one line without a tab. */
  private static Path writePairs(Path dir, int n) throws Exception {
    List<Image> images = IdxReader.readImages(SUBSET.resolve("train-images-idx3-ubyte.gz"), n);
    int[] labels = IdxReader.readLabels(SUBSET.resolve("train-labels-idx1-ubyte.gz"));
    Path png = Files.createDirectories(dir.resolve("png"));
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Image image = images.get(i);
      BufferedImage grey = new BufferedImage(image.width(), image.height(),
          BufferedImage.TYPE_BYTE_GRAY);
      for (int y = 0; y < image.height(); y++) {
        for (int x = 0; x < image.width(); x++) {
          int v = Math.round(image.at(0, y, x) * 255);
          grey.getRaster().setSample(x, y, 0, v);
        }
      }
      String name = String.format("%03d.png", i);
      ImageIO.write(grey, "png", png.resolve(name).toFile());
      lines.add("png/" + name + "\ta photo of a " + CLASSES[labels[i]]);
    }
    lines.add("a line without a tab");
    return Files.write(dir.resolve("pairs.tsv"), lines);
  }

  private static List<float[]> vectors(Path jsonLines) throws Exception {
    List<float[]> out = new ArrayList<>();
    for (String line : Files.readAllLines(jsonLines)) {
      String[] values = line.substring(line.indexOf('[') + 1, line.indexOf(']')).split(", ");
      float[] v = new float[values.length];
      for (int j = 0; j < v.length; j++) {
        v[j] = Float.parseFloat(values[j]);
      }
      out.add(v);
    }
    return out;
  }
}
