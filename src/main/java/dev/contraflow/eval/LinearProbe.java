package dev.contraflow.eval;

import dev.contraflow.augment.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Linear evaluation: multinomial logistic regression on frozen features, the standard protocol
 * for self-supervised representations (Zhang et al. 2016; MoCo, SimCLR). Features are
 * standardised with the training set's mean and std, then a softmax classifier is trained with
 * mini-batch Adam and a small L2 penalty; the gradient is the textbook (p - y) X / n.
 *
 * @param epochs passes over the training features
 * @param batchSize examples per Adam step
 * @param learningRate Adam step size
 * @param weightDecay L2 penalty on the weights
 * @param seed shuffling seed
 */
public record LinearProbe(int epochs, int batchSize, double learningRate, double weightDecay,
    long seed) {

  public LinearProbe {
    if (epochs < 1) {
      throw new IllegalArgumentException("linear probe epochs must be >= 1, got " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("linear probe batchSize must be >= 1, got " + batchSize);
    }
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException(
          "linear probe learningRate must be > 0, got " + learningRate);
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException(
          "linear probe weightDecay must be >= 0, got " + weightDecay);
    }
  }

  /** 30 epochs of Adam (lr 1e-3, batch 256, weight decay 1e-5): converged on 60k Fashion-MNIST. */
  public static LinearProbe defaults() {
    return new LinearProbe(30, 256, 1e-3, 1e-5, 1L);
  }

  /** Test accuracy of a classifier trained on {@code train}. */
  public double accuracy(LabelledEmbeddings train, LabelledEmbeddings test) {
    if (train.dim() != test.dim()) {
      throw new IllegalArgumentException("train has dimension " + train.dim() + ", test " + test.dim());
    }
    int classes = Math.max(train.numClasses(), test.numClasses());
    INDArray x = matrix(train);
    INDArray mean = x.mean(true, 0);
    INDArray std = x.std(true, 0).addi(1e-6);
    x.subiRowVector(mean).diviRowVector(std);
    INDArray[] model = fit(x, oneHot(train.labels(), classes));
    INDArray xt = matrix(test).subiRowVector(mean).diviRowVector(std);
    INDArray predicted = xt.mmul(model[0]).addiRowVector(model[1]).argMax(1);
    int correct = 0;
    for (int i = 0; i < test.size(); i++) {
      correct += predicted.getInt(i) == test.labels()[i] ? 1 : 0;
    }
    return (double) correct / test.size();
  }

  /** Returns {W: d x C, b: 1 x C}. */
  private INDArray[] fit(INDArray x, INDArray y) {
    int n = (int) x.rows();
    int d = (int) x.columns();
    int c = (int) y.columns();
    float[] xs = x.data().asFloat(); // row-major n x d: batches are gathered in Java, not by views
    float[] ys = y.data().asFloat();
    INDArray w = Nd4j.zeros(DataType.FLOAT, d, c);
    INDArray b = Nd4j.zeros(DataType.FLOAT, 1, c);
    Adam adamW = new Adam(w);
    Adam adamB = new Adam(b);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Rng rng = new Rng(seed);
    for (int epoch = 0; epoch < epochs; epoch++) {
      shuffle(order, rng);
      for (int from = 0; from < n; from += batchSize) {
        int rows = Math.min(batchSize, n - from);
        INDArray xb = gather(xs, d, order, from, rows);
        INDArray p = softmax(xb.mmul(w).addiRowVector(b)); // B x C
        INDArray g = p.subi(gather(ys, c, order, from, rows)).divi(rows); // dL/dlogits
        INDArray gw = xb.transpose().mmul(g).addi(w.mul(weightDecay));
        adamW.step(w, gw);
        adamB.step(b, g.sum(true, 0));
      }
    }
    return new INDArray[] {w, b};
  }

  /** Rows order[from .. from+rows) of a row-major matrix with {@code cols} columns. */
  private static INDArray gather(float[] m, int cols, int[] order, int from, int rows) {
    float[] out = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(m, order[from + i] * cols, out, i * cols, cols);
    }
    return Nd4j.create(out, new long[] {rows, cols}, 'c');
  }

  private static INDArray softmax(INDArray logits) {
    INDArray e = Transforms.exp(logits.subColumnVector(logits.max(true, 1)), false);
    return e.diviColumnVector(e.sum(true, 1));
  }

  private static void shuffle(int[] a, Rng rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private static INDArray matrix(LabelledEmbeddings e) {
    return Nd4j.create(e.vectors().clone(), new long[] {e.size(), e.dim()}, 'c');
  }

  private static INDArray oneHot(int[] labels, int classes) {
    INDArray y = Nd4j.zeros(DataType.FLOAT, labels.length, classes);
    for (int i = 0; i < labels.length; i++) {
      y.putScalar(i, labels[i], 1.0);
    }
    return y;
  }

  /** Adam (Kingma and Ba 2015) on one parameter tensor. */
  private final class Adam {
    private final INDArray m;
    private final INDArray v;
    private int t;

    Adam(INDArray param) {
      m = Nd4j.zerosLike(param);
      v = Nd4j.zerosLike(param);
    }

    void step(INDArray param, INDArray grad) {
      t++;
      m.muli(0.9).addi(grad.mul(0.1));
      v.muli(0.999).addi(grad.mul(grad).muli(0.001));
      double lr = learningRate * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
      param.subi(m.div(Transforms.sqrt(v, true).addi(1e-8)).muli(lr));
    }
  }
}
