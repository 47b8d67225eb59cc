package dev.contraflow.eval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * k-nearest-neighbour classification by cosine similarity, the monitor of InstDisc (Wu et al.
 * 2018) and MoCo: the k most similar bank vectors vote for their labels, each with weight
 * exp(sim / T) when weighted (k = 200, T = 0.07), or one vote each when plain (k = 20).
 * A small T makes the nearest few decide; a large T approaches a plain vote.
 */
public final class KnnClassifier {

  /** Queries scored against the bank per matrix multiply (bounds memory: block x bank floats). */
  private static final int BLOCK = 256;

  private final int k;
  private final double temperature;
  private final boolean weighted;

  private KnnClassifier(int k, double temperature, boolean weighted) {
    if (k < 1) {
      throw new IllegalArgumentException("kNN k must be >= 1, got " + k);
    }
    if (weighted && !(temperature > 0)) {
      throw new IllegalArgumentException("kNN temperature T must be > 0, got " + temperature
          + " (InstDisc/MoCo use 0.07)");
    }
    this.k = k;
    this.temperature = temperature;
    this.weighted = weighted;
  }

  /** Weighted kNN: votes exp(sim / T). */
  public static KnnClassifier weighted(int k, double temperature) {
    return new KnnClassifier(k, temperature, true);
  }

  /** InstDisc/MoCo monitor defaults: k = 200, T = 0.07. */
  public static KnnClassifier weightedDefault() {
    return weighted(200, 0.07);
  }

  /** Majority vote of the k nearest; ties go to the larger summed similarity. */
  public static KnnClassifier plain(int k) {
    return new KnnClassifier(k, Double.NaN, false);
  }

  /** Fraction of queries whose predicted label equals their own; vectors are L2-normalised here. */
  public double accuracy(LabelledEmbeddings bank, LabelledEmbeddings queries) {
    return accuracies(bank, queries, this)[0];
  }

  /**
   * The accuracy of each classifier, from one pass of similarities: the bank-query matrix
   * products, the costly part with wide vectors, are shared.
   */
  public static double[] accuracies(LabelledEmbeddings bank, LabelledEmbeddings queries,
      KnnClassifier... classifiers) {
    int[][] predicted = predictAll(bank, queries, classifiers);
    double[] out = new double[classifiers.length];
    for (int c = 0; c < classifiers.length; c++) {
      int correct = 0;
      for (int i = 0; i < predicted[c].length; i++) {
        correct += predicted[c][i] == queries.labels()[i] ? 1 : 0;
      }
      out[c] = (double) correct / predicted[c].length;
    }
    return out;
  }

  public int[] predict(LabelledEmbeddings bank, LabelledEmbeddings queries) {
    return predictAll(bank, queries, this)[0];
  }

  private static int[][] predictAll(LabelledEmbeddings bank, LabelledEmbeddings queries,
      KnnClassifier... classifiers) {
    if (bank.dim() != queries.dim()) {
      throw new IllegalArgumentException("bank has dimension " + bank.dim() + ", queries "
          + queries.dim());
    }
    TopK[] tops = new TopK[classifiers.length];
    for (int c = 0; c < classifiers.length; c++) {
      if (classifiers[c].k > bank.size()) {
        throw new IllegalArgumentException("kNN k = " + classifiers[c].k + " exceeds the bank"
            + " size " + bank.size());
      }
      tops[c] = new TopK(classifiers[c].k);
    }
    LabelledEmbeddings b = bank.l2Normalised();
    LabelledEmbeddings q = queries.l2Normalised();
    INDArray bankMatrix = Nd4j.create(b.vectors(), new long[] {b.size(), b.dim()}, 'c');
    int classes = Math.max(b.numClasses(), 1);
    int[][] out = new int[classifiers.length][q.size()];
    for (int from = 0; from < q.size(); from += BLOCK) {
      int n = Math.min(BLOCK, q.size() - from);
      float[] block = new float[n * q.dim()];
      System.arraycopy(q.vectors(), from * q.dim(), block, 0, block.length);
      INDArray queryBlock = Nd4j.create(block, new long[] {n, q.dim()}, 'c');
      // sims: n x bank, by BLAS with the transpose as a flag (a transposed view would be copied)
      float[] sims = Nd4j.gemm(queryBlock, bankMatrix, false, true).data().asFloat();
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < classifiers.length; c++) {
          tops[c].select(sims, i * b.size(), b.size());
          out[c][from + i] = classifiers[c].vote(tops[c], b.labels(), classes);
        }
      }
    }
    return out;
  }

  private int vote(TopK top, int[] labels, int classes) {
    double[] votes = new double[classes];
    double[] simSum = new double[classes];
    for (int j = 0; j < top.size(); j++) {
      int label = labels[top.index(j)];
      votes[label] += weighted ? Math.exp(top.value(j) / temperature) : 1.0;
      simSum[label] += top.value(j);
    }
    int best = 0;
    for (int c = 1; c < classes; c++) {
      if (votes[c] > votes[best] || (votes[c] == votes[best] && simSum[c] > simSum[best])) {
        best = c;
      }
    }
    return best;
  }

  /** The k largest values of a row, by a min-heap (no full sort of the bank). */
  static final class TopK {
    private final int k;
    private final float[] values;
    private final int[] indices;
    private int size;

    TopK(int k) {
      this.k = k;
      this.values = new float[k];
      this.indices = new int[k];
    }

    void select(float[] row, int offset, int length) {
      size = 0;
      for (int j = 0; j < length; j++) {
        float v = row[offset + j];
        if (size < k) {
          values[size] = v;
          indices[size] = j;
          siftUp(size++);
        } else if (v > values[0]) {
          values[0] = v;
          indices[0] = j;
          siftDown(0);
        }
      }
    }

    int size() {
      return size;
    }

    float value(int j) {
      return values[j];
    }

    int index(int j) {
      return indices[j];
    }

    private void siftUp(int i) {
      while (i > 0) {
        int parent = (i - 1) / 2;
        if (values[parent] <= values[i]) {
          return;
        }
        swap(i, parent);
        i = parent;
      }
    }

    private void siftDown(int i) {
      while (true) {
        int l = 2 * i + 1;
        int smallest = i;
        if (l < size && values[l] < values[smallest]) {
          smallest = l;
        }
        if (l + 1 < size && values[l + 1] < values[smallest]) {
          smallest = l + 1;
        }
        if (smallest == i) {
          return;
        }
        swap(i, smallest);
        i = smallest;
      }
    }

    private void swap(int a, int b) {
      float v = values[a];
      values[a] = values[b];
      values[b] = v;
      int x = indices[a];
      indices[a] = indices[b];
      indices[b] = x;
    }
  }
}
