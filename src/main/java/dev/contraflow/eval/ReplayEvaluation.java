package dev.contraflow.eval;

import dev.contraflow.augment.ImageViews;
import dev.contraflow.augment.Rng;
import dev.contraflow.contrast.RepresentationGeometry;
import dev.contraflow.io.image.Image;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.LearnerState;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scores model checkpoints on a labelled replay: for each checkpoint, weighted kNN (k = 200,
 * T = 0.07, InstDisc/MoCo monitor) and linear-probe accuracy of the queries against the bank,
 * alignment (two MoCo views of the same image) and uniformity (Wang and Isola), the std of the
 * L2-normalised embeddings (SimSiam's collapse signal) and the drift from the previous
 * checkpoint (mean cosine of the same images' embeddings). Deterministic: the views come from a
 * fixed seed, kNN and the probe are deterministic, so the same inputs give the same numbers.
 */
public final class ReplayEvaluation {

  /** Rows used for alignment, uniformity and the projection (uniformity costs n^2). */
  public static final int GEOMETRY_SAMPLE = 2000;
  private static final long VIEW_SEED = 20240229L;

  /** Labelled images: the bank (kNN neighbours, probe training) and the queries scored. */
  public record Dataset(List<Image> bank, int[] bankLabels, List<Image> queries,
      int[] queryLabels) {}

  /** A model to score: where it came from, its version (step), configuration and state. */
  public record Checkpoint(String source, long version, LearnerConfig config,
      LearnerState state) {}

  /**
   * Scores of one checkpoint.
   *
   * @param drift mean cosine between this and the previous checkpoint's embeddings of the same
   *     queries (1 = unchanged); NaN for the first
   */
  public record Scores(String source, long version, double weightedKnn, double linearProbe,
      double alignment, double uniformity, double embeddingStd, double drift) {}

  /** Everything a report shows; {@code projection} is the last checkpoint's 2-D PCA. */
  public record Result(int bankSize, int querySize, int k, double rawPixelsKnn,
      double rawPixelsProbe,
      List<Scores> checkpoints, float[][] projection, int[] projectionLabels) {}

  private final PrintStream progress;

  public ReplayEvaluation(PrintStream progress) {
    this.progress = progress;
  }

  public Result evaluate(Dataset data, List<Checkpoint> checkpoints) {
    if (checkpoints.isEmpty()) {
      throw new IllegalArgumentException("no checkpoints to evaluate");
    }
    // k = 200 (InstDisc/MoCo) unless the bank is smaller
    int k = Math.min(200, data.bank().size());
    KnnClassifier knn = KnnClassifier.weighted(k, 0.07);
    LinearProbe probe = LinearProbe.defaults();
    LabelledEmbeddings rawBank = LabelledEmbeddings.of(pixels(data.bank()), data.bankLabels());
    LabelledEmbeddings rawQueries =
        LabelledEmbeddings.of(pixels(data.queries()), data.queryLabels());
    double rawKnn = knn.accuracy(rawBank.l2Normalised(), rawQueries.l2Normalised());
    double rawProbe = probe.accuracy(rawBank, rawQueries);
    progress.printf("eval: raw pixels: weighted kNN %.4f, linear probe %.4f%n", rawKnn, rawProbe);

    List<Scores> scores = new ArrayList<>();
    float[][] previous = null;
    float[][] last = null;
    for (int c = 0; c < checkpoints.size(); c++) {
      Checkpoint cp = checkpoints.get(c);
      long started = System.nanoTime();
      Learner<Image> learner = Learner.images(cp.config());
      LabelledEmbeddings bank =
          LabelledEmbeddings.of(learner.embedAll(cp.state(), data.bank()), data.bankLabels());
      float[][] queryRows = learner.embedAll(cp.state(), data.queries());
      LabelledEmbeddings queries = LabelledEmbeddings.of(queryRows, data.queryLabels());
      List<Image> sample = data.queries().subList(0,
          Math.min(GEOMETRY_SAMPLE, data.queries().size()));
      INDArray plain = Nd4j.create(Arrays.copyOf(queryRows, sample.size()));
      INDArray[] views = viewPairs(learner, cp, sample);
      Scores s = new Scores(cp.source(), cp.version(),
          knn.accuracy(bank, queries), probe.accuracy(bank, queries),
          RepresentationGeometry.alignment(views[0], views[1]),
          RepresentationGeometry.uniformity(plain), RepresentationGeometry.embeddingStd(plain),
          previous == null ? Double.NaN : meanCosine(previous, queryRows));
      scores.add(s);
      progress.printf("eval: checkpoint %d/%d (v%d): weighted kNN %.4f, linear probe %.4f, "
              + "align %.3f, uniform %.3f, std %.4f, drift %s (%.0f s)%n", c + 1,
          checkpoints.size(), s.version(), s.weightedKnn(), s.linearProbe(), s.alignment(),
          s.uniformity(), s.embeddingStd(), EvalReport.figure(s.drift(), "%.4f"),
          (System.nanoTime() - started) / 1e9);
      previous = queryRows;
      last = queryRows;
    }
    int m = Math.min(GEOMETRY_SAMPLE, last.length);
    return new Result(data.bank().size(), data.queries().size(), k, rawKnn, rawProbe, scores,
        Projection.pca2(Arrays.copyOf(last, m)),
        Arrays.copyOf(data.queryLabels(), m));
  }

  private static float[][] pixels(List<Image> images) {
    return images.stream().map(Image::pixels).toArray(float[][]::new);
  }

  /** The sample under two MoCo views each (fixed seed), embedded: the positive pairs. */
  private static INDArray[] viewPairs(Learner<Image> learner, Checkpoint cp, List<Image> sample) {
    LearnerConfig c = cp.config();
    ImageViews views = ImageViews.mocoV2(c.encoder().height(), c.encoder().width(),
        c.cropScaleMin());
    Rng rng = new Rng(VIEW_SEED);
    List<Image> first = new ArrayList<>();
    List<Image> second = new ArrayList<>();
    for (Image image : sample) {
      Image[] two = views.twoViews(image, rng.split());
      first.add(two[0]);
      second.add(two[1]);
    }
    return new INDArray[] {Nd4j.create(learner.embedAll(cp.state(), first)),
        Nd4j.create(learner.embedAll(cp.state(), second))};
  }

  /** Mean cosine of row i of a and row i of b (rows are L2-normalised). */
  static double meanCosine(float[][] a, float[][] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      double dot = 0;
      for (int j = 0; j < a[i].length; j++) {
        dot += a[i][j] * b[i][j];
      }
      sum += dot;
    }
    return sum / a.length;
  }
}
