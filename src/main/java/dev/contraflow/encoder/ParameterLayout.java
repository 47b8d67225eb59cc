package dev.contraflow.encoder;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Hands out the {@link GemmEncoder}'s layers their views of one flat parameter vector, laid out
 * as [trainable | statistics], and of the gradient vector (the trainable part's shape), and
 * initialises them as DL4J would (He normal weights, zero biases, unit BN scale, unit running
 * variance). The optimiser thus works on one flat gradient and its state keeps DL4J's meaning.
 */
final class ParameterLayout {

  /** A trainable tensor and its gradient, both views. */
  record Slot(INDArray value, INDArray gradient) {}

  private final INDArray params; // 1 x (T + S)
  private final INDArray gradient; // 1 x T
  private final long trainable;
  private final SplittableRandom rng;
  private final List<INDArray[]> decayed = new ArrayList<>();
  private final List<long[]> decayedSpans = new ArrayList<>();
  private long nextTrainable;
  private long nextStatistic;

  ParameterLayout(INDArray params, INDArray gradient, long trainable, long seed) {
    this.params = params;
    this.gradient = gradient;
    this.trainable = trainable;
    this.nextStatistic = trainable;
    this.rng = new SplittableRandom(seed);
  }

  /**
   * A rows x cols weight matrix, He-initialised with fan-in {@code rows} (He et al. 2015, DL4J's
   * WeightInit.RELU), under weight decay.
   */
  Slot weight(long rows, long cols) {
    decayedSpans.add(new long[] {nextTrainable, nextTrainable + rows * cols});
    Slot s = slot(rows, cols);
    double std = Math.sqrt(2.0 / rows);
    double[] values = new double[(int) (rows * cols)];
    for (int i = 0; i < values.length; i++) {
      values[i] = rng.nextGaussian() * std;
    }
    s.value().assign(Nd4j.createFromArray(values).reshape(rows, cols));
    decayed.add(new INDArray[] {s.value(), s.gradient()});
    return s;
  }

  /** A vector of n trainable values (bias, BN scale or shift), all {@code init}; no decay. */
  Slot vector(long n, double init) {
    Slot s = slot(1, n);
    s.value().assign(init);
    return s;
  }

  /** n untrained values (a running statistic), all {@code init}. */
  INDArray statistic(long n, double init) {
    INDArray v = params.get(NDArrayIndex.point(0),
        NDArrayIndex.interval(nextStatistic, nextStatistic + n)).reshape(1, n);
    nextStatistic += n;
    v.assign(init);
    return v;
  }

  /** Pairs (weight, its gradient) that weight decay applies to: weights, not biases or BN. */
  List<INDArray[]> decayed() {
    return decayed;
  }

  /**
   * Where the {@link #decayed} weights sit in the trainable vector: [from, to) spans in increasing
   * order, one per weight tensor.
   */
  List<long[]> decayedSpans() {
    return decayedSpans;
  }

  /** Checks that the layers took exactly the space they declared. */
  void requireFilled() {
    if (nextTrainable != trainable || nextStatistic != params.length()) {
      throw new IllegalStateException("layers took " + nextTrainable + " + "
          + (nextStatistic - trainable) + " values of " + trainable + " + "
          + (params.length() - trainable));
    }
  }

  private Slot slot(long rows, long cols) {
    long n = rows * cols;
    INDArray v = params.get(NDArrayIndex.point(0),
        NDArrayIndex.interval(nextTrainable, nextTrainable + n)).reshape('c', rows, cols);
    INDArray g = gradient.get(NDArrayIndex.point(0),
        NDArrayIndex.interval(nextTrainable, nextTrainable + n)).reshape('c', rows, cols);
    nextTrainable += n;
    return new Slot(v, g);
  }
}
