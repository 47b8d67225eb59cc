package dev.contraflow.bench;

import dev.contraflow.eval.CrossModalRetrieval;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.io.text.TokenizedSentence;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.PairExample;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CLIP on Fashion-MNIST with captions TEMPLATED FROM THE LABELS ({@link FashionCaptions}): a CLIP
 * model trained online on training-set pairs, judged on held-out test-set pairs (one caption per
 * test image):
 *
 * <ul>
 *   <li>image-to-text retrieval: each test image ranks all held-out captions; a hit is its own
 *       caption within the top k (recall@1/5/10, ties counted fairly,
 *       {@link CrossModalRetrieval}), and class-level: the top caption is of the image's class;
 *   <li>text-to-image retrieval, the same the other way;
 *   <li>zero-shot classification: each test image takes the class whose prompt ("a photo of a
 *       pullover") is nearest, with no classifier trained.
 * </ul>
 *
 * Templated captions say only class and tone, so instance-level recall has a ceiling well below
 * 1; the table shows it ("class and tone known") beside the untrained and trained models.
 */
public final class ClipBenchmark {

  /** One row of the table; NaN where a row has no such figure. */
  public record Row(String model, double[] imageToText, double imageToTextClass,
      double[] textToImage, double textToImageClass, double zeroShot) {}

  /**
   * @param testImages held-out images
   * @param testCaptions one caption per held-out image, its id the image's
   * @param testLabels their classes
   */
  public record HeldOut(List<Image> testImages, List<TokenizedSentence> testCaptions,
      int[] testLabels) {}

  private static final int[] KS = {1, 5, 10};

  private final PrintStream out;

  public ClipBenchmark(PrintStream out) {
    this.out = out;
  }

  /**
   * Training pairs for {@code passes} passes over the images, each pass with freshly drawn
   * captions (as a caption stream would describe the same product in other words).
   */
  public static List<PairExample> trainingPairs(List<Image> images, int[] labels, int passes,
      SentenceTokenizer tokenizer, long seed) {
    Random random = new Random(seed);
    List<PairExample> out = new ArrayList<>(images.size() * passes);
    for (int pass = 0; pass < passes; pass++) {
      for (int i = 0; i < images.size(); i++) {
        Image image = images.get(i);
        String id = image.id();
        out.add(new PairExample(id, image, tokenized(tokenizer, id,
            FashionCaptions.caption(image, labels[i], random))));
      }
    }
    return out;
  }

  public static HeldOut heldOut(List<Image> images, int[] labels, SentenceTokenizer tokenizer,
      long seed) {
    Random random = new Random(seed ^ 0x5eedL);
    List<TokenizedSentence> captions = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      captions.add(tokenized(tokenizer, images.get(i).id(),
          FashionCaptions.caption(images.get(i), labels[i], random)));
    }
    return new HeldOut(images, captions, labels);
  }

  /** Scores one model state on the held-out pairs and prints how long it took. */
  public Row score(String name, Learner<PairExample> learner, SentenceTokenizer tokenizer,
      LearnerState state, HeldOut d) {
    long t = System.nanoTime();
    INDArray images = Nd4j.create(learner.embedAll(state,
        d.testImages().stream().map(PairExample::ofImage).toList()));
    INDArray texts = Nd4j.create(learner.embedAll(state,
        d.testCaptions().stream().map(PairExample::ofCaption).toList()));
    CrossModalRetrieval.Result i2t = CrossModalRetrieval.evaluate(images, texts, d.testLabels(),
        KS);
    CrossModalRetrieval.Result t2i = CrossModalRetrieval.evaluate(texts, images, d.testLabels(),
        KS);
    List<PairExample> prompts = new ArrayList<>();
    for (int c = 0; c < FashionCaptions.CLASS_COUNT; c++) {
      prompts.add(PairExample.ofCaption(
          tokenized(tokenizer, "class-" + c, FashionCaptions.prompt(c))));
    }
    INDArray classes = Nd4j.create(learner.embedAll(state, prompts));
    INDArray predicted = images.mmul(classes.transpose()).argMax(1); // n x 10 -> n
    int correct = 0;
    for (int i = 0; i < d.testLabels().length; i++) {
      correct += predicted.getInt(i) == d.testLabels()[i] ? 1 : 0;
    }
    Row row = new Row(name, i2t.recallAtK(), i2t.classHitAt1(), t2i.recallAtK(),
        t2i.classHitAt1(), (double) correct / d.testLabels().length);
    out.printf("  scored %-28s in %.0f s%n", name, (System.nanoTime() - t) / 1e9);
    return row;
  }

  /**
   * The best a model can do that knows each image's class and tone exactly and nothing else: its
   * own caption is one of g equally likely ones, so recall@k = min(1, k / g) on average, in both
   * directions, and class-level hits and zero-shot accuracy are 1.
   */
  public static Row ceiling(HeldOut d) {
    int[] g = FashionCaptions.sameClassAndTone(d.testImages(), d.testLabels());
    double[] recall = new double[KS.length];
    for (int k = 0; k < KS.length; k++) {
      double sum = 0;
      for (int gi : g) {
        sum += Math.min(1.0, (double) KS[k] / gi);
      }
      recall[k] = sum / g.length;
    }
    return new Row("class and tone known (ceiling)", recall, 1, recall, 1, 1);
  }

  public void printTable(List<Row> rows, String note) {
    out.println();
    out.println("| model | image->text R@1 | R@5 | R@10 | class@1 | text->image R@1 | R@5 | R@10"
        + " | class@1 | zero-shot accuracy |");
    out.println("|---|---|---|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      out.printf("| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f |%n",
          r.model(), r.imageToText()[0], r.imageToText()[1], r.imageToText()[2],
          r.imageToTextClass(), r.textToImage()[0], r.textToImage()[1], r.textToImage()[2],
          r.textToImageClass(), r.zeroShot());
    }
    out.println();
    out.println(note);
  }

  /** The templates never make an empty or over-long caption; a refusal here is a bug. */
  private static TokenizedSentence tokenized(SentenceTokenizer tokenizer, String id,
      String text) {
    try {
      return tokenizer.tokenize(id, text);
    } catch (InvalidSentenceException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
