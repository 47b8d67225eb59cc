package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.eval.KnnClassifier;
import dev.contraflow.eval.LabelledEmbeddings;
import dev.contraflow.io.image.IdxReader;
import dev.contraflow.io.image.Image;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A few hundred online steps on real images must improve on the untrained encoder. */
@Tag("slow")
class LearningOnFashionMnistTest {

  private static final Path SUBSET = Path.of("src/test/resources/fashion-mnist-subset");

  @Test
  void fewHundredStepsRaiseKnnAccuracyOverTheUntrainedEncoder() throws Exception {
    List<Image> train = IdxReader.readImages(SUBSET.resolve("train-images-idx3-ubyte.gz"));
    int[] trainLabels = IdxReader.readLabels(SUBSET.resolve("train-labels-idx1-ubyte.gz"));
    List<Image> test = IdxReader.readImages(SUBSET.resolve("t10k-images-idx3-ubyte.gz"));
    int[] testLabels = IdxReader.readLabels(SUBSET.resolve("t10k-labels-idx1-ubyte.gz"));

    EncoderConfig encoder = new EncoderConfig(EncoderKind.MLP, 1, 28, 28, 16, 1, 128, 64, 3L);
    LearnerConfig config = new LearnerConfig(Method.MOCO, encoder,
        new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.06, 0.9, 1e-4), 1024, 0.2,
        MomentumUpdate.constant(0.99), 0.2, 64, 1L);
    Learner<Image> learner = Learner.images(config);
    LearnerState untrained = learner.initialState();
    double before = knn(learner, untrained, train, trainLabels, test, testLabels);

    LearnerState trained = OnlineTrainer.train(learner, untrained, train, 10, (m, s, t) -> { });
    double after = knn(learner, trained, train, trainLabels, test, testLabels);

    System.out.printf("weighted kNN (k=50) on the subset: untrained %.3f, after %d steps %.3f%n",
        before, trained.step(), after);
    assertTrue(trained.step() >= 460, "steps " + trained.step());
    assertTrue(after > before + 0.02,
        "weighted kNN after " + trained.step() + " steps: " + after + ", untrained: " + before);
  }

  private static double knn(Learner<Image> learner, LearnerState state, List<Image> bank, int[] bankLabels,
      List<Image> queries, int[] queryLabels) {
    return KnnClassifier.weighted(50, 0.07).accuracy(embed(learner, state, bank, bankLabels),
        embed(learner, state, queries, queryLabels));
  }

  private static LabelledEmbeddings embed(Learner<Image> learner, LearnerState state, List<Image> images,
      int[] labels) {
    List<Embedding> e = learner.embed(state, images);
    float[][] rows = new float[e.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = e.get(i).vector();
    }
    return LabelledEmbeddings.of(rows, labels);
  }
}
