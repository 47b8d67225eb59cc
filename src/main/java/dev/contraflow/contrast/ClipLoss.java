package dev.contraflow.contrast;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * CLIP's symmetric cross-modal InfoNCE (Radford et al. 2021, "Learning Transferable Visual Models
 * From Natural Language Supervision", Figure 3). Image features I_i and text features T_j, both
 * L2-normalised, and a learnable log-scale t:
 *
 * <pre>
 *   logits = exp(t) I T^T                                  B x B, pair i on the diagonal
 *   L      = (CE(rows of logits, i) + CE(columns of logits, j)) / 2
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
    long b = images.rows();
    double scale = Math.exp(logScale);
    INDArray similarity = images.mmul(texts.transpose()); // B x B
    INDArray logits = similarity.mul(scale);
    INDArray eye = Nd4j.eye(b).castTo(logits.dataType());

    // image -> text: softmax over each row; text -> image: over each column
    INDArray rowMax = logits.max(true, 1); // B x 1
    INDArray p = Transforms.exp(logits.subColumnVector(rowMax), false);
    INDArray rowSum = p.sum(true, 1);
    p.diviColumnVector(rowSum);
    INDArray colMax = logits.max(true, 0); // 1 x B
    INDArray q = Transforms.exp(logits.subRowVector(colMax), false);
    INDArray colSum = q.sum(true, 0);
    q.diviRowVector(colSum);

    INDArray diagonal = logits.mul(eye);
    double sumDiagonal = diagonal.sumNumber().doubleValue();
    // CE_i = logsumexp(row i) - logit_ii, summed over i
    double imageToText = (Transforms.log(rowSum, true).addi(rowMax).sumNumber().doubleValue()
        - sumDiagonal) / b;
    double textToImage = (Transforms.log(colSum, true).addi(colMax).sumNumber().doubleValue()
        - sumDiagonal) / b;

    // dL/dlogits of the mean loss: ((P - 1) + (Q - 1)) / (2B)
    INDArray g = p.addi(q).subi(eye.mul(2)).divi(2.0 * b);
    double dLogScale = g.mul(logits).sumNumber().doubleValue(); // d logits / dt = logits
    // summed loss (x B) with respect to the features: logits = s I T^T
    INDArray dImage = g.mmul(texts).muli(scale * b);
    INDArray dText = g.transpose().mmul(images).muli(scale * b);

    double positive = similarity.mul(eye).sumNumber().doubleValue() / b;
    double negative = b < 2 ? Double.NaN
        : (similarity.sumNumber().doubleValue() - positive * b) / (b * (b - 1));
    return new Result((imageToText + textToImage) / 2, dImage, dText, dLogScale, imageToText,
        textToImage, positive, negative);
  }
}
