package dev.contraflow.bench;

import dev.contraflow.eval.KnnClassifier;
import dev.contraflow.eval.LabelledEmbeddings;
import dev.contraflow.eval.LinearProbe;
import dev.contraflow.io.image.IdxReader;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.ImageSource;
import dev.contraflow.io.image.Image;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.OnlineTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Representation quality on Fashion-MNIST in one run: the encoder trained online on the training
 * images (labels unused), the same encoder untrained, and raw pixels, each judged by kNN and a
 * linear probe with the training set as bank / probe training data and the test set as queries.
 */
public final class QualityBenchmark {

  /**
   * One row of the table.
   *
   * @param embeddingStd mean per-dimension std of the L2-normalised test vectors (collapse signal:
   *     about 1/sqrt(dim) when spread, towards 0 when collapsed)
   */
  public record Row(String representation, double knn20, double weightedKnn, double linearProbe,
      double embeddingStd) {}

  /** A labelled split. */
  public record Split(List<Image> images, int[] labels) {}

  private final PrintStream out;

  public QualityBenchmark(PrintStream out) {
    this.out = out;
  }

  /**
   * Reads {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] from a Fashion-MNIST folder, each
   * image decoded to the encoder's input by {@code decoder} (at 1 x 28 x 28, as stored).
   */
  public static Split load(Path dir, String prefix, int limit, ImageDecoder decoder)
      throws IOException {
    Path images = existing(dir, prefix + "-images-idx3-ubyte");
    Path labels = existing(dir, prefix + "-labels-idx1-ubyte");
    List<Image> im;
    try (Stream<ImageSource.Item> items = ImageSource.open(images, limit, decoder).items()) {
      im = items.map(QualityBenchmark::accepted).toList();
    }
    int[] lab = java.util.Arrays.copyOf(IdxReader.readLabels(labels), im.size());
    return new Split(im, lab);
  }

  /** A benchmark's images must all count: a refusal (channelConversion REFUSE) stops it. */
  private static Image accepted(ImageSource.Item item) {
    if (!item.accepted()) {
      throw new IllegalArgumentException(item.describe() + ": " + item.refusal());
    }
    return item.image();
  }

  private static Path existing(Path dir, String name) throws IOException {
    for (Path p : List.of(dir.resolve(name + ".gz"), dir.resolve(name))) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IOException("no " + name + "[.gz] in " + dir
        + " (fetch Fashion-MNIST with scripts/fetch-fashion-mnist.sh)");
  }

  /** Raw pixels as vectors. */
  public static LabelledEmbeddings pixels(Split s) {
    float[][] rows = new float[s.images().size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = s.images().get(i).pixels();
    }
    return LabelledEmbeddings.of(rows, s.labels());
  }

  /** The key encoder's embeddings of a split. */
  public LabelledEmbeddings embed(Learner<Image> learner, LearnerState state, Split s) {
    long t = System.nanoTime();
    float[][] rows = learner.embedAll(state, s.images());
    out.printf("  embedded %d images with model version %d in %.0f s%n", rows.length, state.step(),
        (System.nanoTime() - t) / 1e9);
    return LabelledEmbeddings.of(rows, s.labels());
  }

  /** Scores one representation and prints its row. */
  public Row score(String name, LabelledEmbeddings train, LabelledEmbeddings test) {
    long t = System.nanoTime();
    Row row = new Row(name,
        KnnClassifier.plain(20).accuracy(train, test),
        KnnClassifier.weightedDefault().accuracy(train, test),
        LinearProbe.defaults().accuracy(train, test),
        embeddingStd(test));
    out.printf("  scored %-28s in %.0f s%n", name, (System.nanoTime() - t) / 1e9);
    return row;
  }

  /** Mean over dimensions of the std of the L2-normalised vectors. */
  static double embeddingStd(LabelledEmbeddings e) {
    LabelledEmbeddings unit = e.l2Normalised();
    int n = unit.size();
    int d = unit.dim();
    float[] v = unit.vectors();
    double total = 0;
    for (int c = 0; c < d; c++) {
      double sum = 0;
      double squares = 0;
      for (int i = 0; i < n; i++) {
        double x = v[i * d + c];
        sum += x;
        squares += x * x;
      }
      double mean = sum / n;
      total += Math.sqrt(Math.max(0, squares / n - mean * mean));
    }
    return total / d;
  }

  /** Trains online on exactly {@code samples} training images (cycling), within the time budget. */
  public LearnerState trainOnSamples(Learner<Image> learner, Split train, long samples,
      Duration budget, OnlineTrainer.Listener progress) {
    return OnlineTrainer.trainOnSamples(learner, learner.initialState(), train.images(), samples,
        budget, progress);
  }

  /** Trains online over the training split, within the time budget. */
  public LearnerState train(Learner<Image> learner, Split train, int passes, Duration budget,
      OnlineTrainer.Listener progress) {
    return OnlineTrainer.train(learner, learner.initialState(), train.images(), passes, budget,
        progress);
  }

  public void printTable(List<Row> rows, String trainedNote) {
    out.println();
    out.println("| representation | kNN (k=20) | weighted kNN (k=200, T=0.07) | linear probe"
        + " | embedding std |");
    out.println("|---|---|---|---|---|");
    for (Row r : rows) {
      out.printf("| %s | %.4f | %.4f | %.4f | %.4f |%n", r.representation(), r.knn20(),
          r.weightedKnn(), r.linearProbe(), r.embeddingStd());
    }
    out.println();
    out.println(trainedNote);
  }
}
