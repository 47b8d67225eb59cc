package dev.contraflow.contrast;

import java.util.List;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CLIP's symmetric cross-modal InfoNCE (Radford et al. 2021, "Learning Transferable Visual Models
 * From Natural Language Supervision", Figure 3). Image features I_i and text features T_j, both
 * L2-normalised, and a learnable log-scale t:
 *
 * <pre>
 *   logits = exp(t) I T^T                                  B x B, pair i on the diagonal
 *   L      = (CE(rows of logits, i) + CE(columns of logits, j)) / 2     CE: SoftmaxCrossEntropy
 * </pre>
 *
 * The rows are image-to-text classification (which caption is this image's), the columns
 * text-to-image; every other pair of the batch is a negative. exp(t) is the inverse temperature:
 * CLIP learns it ({@link LogitScale}) instead of tuning it, starting at 1 / 0.07.
 *
 * <p>Both towers are trained, so both features receive gradients, and so does t. When each image
 * equals its caption and the pairs are orthonormal, every off-diagonal logit is 0 and
 * L = ln(1 + (B - 1) e^{-s}) with s = exp(t): the loss keeps falling as the scale grows, which is
 * why the scale needs a ceiling.
 */
public final class ClipLoss {

  /**
   * @param loss mean of the two directions' mean cross-entropies
   * @param dLossDImage B x d gradient of the summed loss (B x loss) with respect to the image
   *     features, per example as {@code Encoder.backwardAndUpdate} expects
   * @param dLossDText B x d, likewise for the text features
   * @param dLossDLogScale gradient of the mean loss with respect to t
   * @param imageToTextLoss mean cross-entropy of the rows
   * @param textToImageLoss mean cross-entropy of the columns
   * @param positiveSimilarity mean I_i.T_i
   * @param negativeSimilarity mean I_i.T_j over i != j (NaN for B = 1)
   */
  public record Result(double loss, INDArray dLossDImage, INDArray dLossDText,
      double dLossDLogScale, double imageToTextLoss, double textToImageLoss,
      double positiveSimilarity, double negativeSimilarity) {}

  private ClipLoss() {}

  /**
   * @param images B x d, L2-normalised; row i is the image of pair i
   * @param texts B x d, L2-normalised; row i is the caption of pair i
   * @param logScale t; the logits are scaled by exp(t)
   */
  public static Result compute(INDArray images, INDArray texts, double logScale) {
    if (images.rows() != texts.rows() || images.columns() != texts.columns()) {
      throw new IllegalArgumentException("image and text features must have the same shape, got "
          + java.util.Arrays.toString(images.shape()) + " and "
          + java.util.Arrays.toString(texts.shape()));
    }
    if (!Double.isFinite(logScale)) {
      throw new IllegalArgumentException("log scale must be finite, got " + logScale);
    }
    int b = (int) images.rows();
    double scale = Math.exp(logScale);
    INDArray similarity = images.mmul(texts.transpose()); // B x B
    INDArray logits = similarity.mul(scale);
    // image i's caption is text i, and text i's image is image i
    int[] pairs = IntStream.range(0, b).toArray();
    // image -> text: each row of the logits is a classification; text -> image: each column
    SoftmaxCrossEntropy.Result imageToText =
        SoftmaxCrossEntropy.ofClasses(logits, pairs, List.of());
    SoftmaxCrossEntropy.Result textToImage =
        SoftmaxCrossEntropy.ofClasses(logits.transpose(), pairs, List.of());

    // dL/dlogits of the mean loss: (dCE_rows + dCE_columns^T) / (2B)
    INDArray g = imageToText.dLogits().addi(textToImage.dLogits().transpose()).divi(2.0 * b);
    double dLogScale = g.mul(logits).sumNumber().doubleValue(); // d logits / dt = logits
    // summed loss (x B) with respect to the features: logits = s I T^T
    INDArray dImage = g.mmul(texts).muli(scale * b);
    INDArray dText = g.transpose().mmul(images).muli(scale * b);

    INDArray eye = Nd4j.eye(b).castTo(similarity.dataType());
    double positive = similarity.mul(eye).sumNumber().doubleValue() / b;
    double negative = b < 2 ? Double.NaN
        : (similarity.sumNumber().doubleValue() - positive * b) / ((double) b * (b - 1));
    return new Result((imageToText.meanLoss() + textToImage.meanLoss()) / 2, dImage, dText,
        dLogScale, imageToText.meanLoss(), textToImage.meanLoss(), positive, negative);
  }
}
