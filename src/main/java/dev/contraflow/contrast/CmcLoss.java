package dev.contraflow.contrast;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * CMC's multiview contrastive loss (Tian, Krishnan and Isola, "Contrastive Multiview Coding",
 * ECCV 2020, sec. 3.2): M views V_1 .. V_M of each record, and for a pair of views the two-way
 * contrast L(V_i, V_j) = L^{V_i,V_j} + L^{V_j,V_i}, where L^{V_i,V_j} anchors on view i's
 * feature and picks the positive and the negatives from view j: {@link InfoNceLoss} of q_i
 * against k_j with view j's own negatives. Which pairs are contrasted is the {@link Graph}:
 *
 * <ul>
 *   <li>{@link Graph#FULL}: every pair, L_F = sum_{i<j} L(V_i, V_j), M(M - 1) directed terms;
 *   <li>{@link Graph#CORE}: view 1 is the core, L_C = sum_{j>1} L(V_1, V_j), 2(M - 1) terms.
 * </ul>
 *
 * <p>The loss reported and differentiated here is the mean of the directed terms, each the mean
 * over the N records, so its value reads as one InfoNCE (log(1 + K) at chance) whatever M and the
 * graph; the paper's sum is this times the number of terms, which for SGD only rescales the
 * learning rate. Keys receive no gradient (they come from a momentum encoder or a memory bank).
 */
public final class CmcLoss {

  /** Which pairs of views the loss contrasts (the paper's Fig. 2). */
  public enum Graph {
    /** Every pair of views: M(M - 1) directed terms. */
    FULL,
    /** The first view against each other view: 2(M - 1) directed terms. */
    CORE
  }

  /** One directed term: the anchor's view and the view its positive and negatives come from. */
  public record Pair(int anchor, int other) {}

  /**
   * @param loss the mean over the directed terms of each term's mean over the N records
   * @param dLossDQuery per view, N x d: the gradient of the sum over terms of each term's summed
   *     (not averaged) loss with respect to that view's queries; divide by {@code pairs() * N} for
   *     the gradient of {@code loss}
   * @param pairs the number of directed terms
   * @param positiveSimilarity mean over the terms of the mean q_i.k_j of a record's two views
   * @param negativeSimilarity mean over the terms of the mean q_i.n over view j's negatives (NaN
   *     while every view has none)
   */
  public record Result(double loss, INDArray[] dLossDQuery, int pairs, double positiveSimilarity,
      double negativeSimilarity) {}

  private final InfoNceLoss infoNce;
  private final Graph graph;

  /**
   * @param temperature T of every directed InfoNCE term (CMC: 0.07)
   * @param graph which pairs of views are contrasted
   */
  public CmcLoss(double temperature, Graph graph) {
    if (graph == null) {
      throw new IllegalArgumentException("CMC graph must be FULL or CORE, got null");
    }
    this.infoNce = new InfoNceLoss(temperature);
    this.graph = graph;
  }

  /** The directed terms of {@code graph} over {@code views} views, anchor-major. */
  public static List<Pair> pairs(Graph graph, int views) {
    if (views < 2) {
      throw new IllegalArgumentException("CMC needs at least 2 views, got " + views);
    }
    List<Pair> out = new ArrayList<>();
    for (int i = 0; i < views; i++) {
      for (int j = 0; j < views; j++) {
        if (i != j && (graph == Graph.FULL || i == 0 || j == 0)) {
          out.add(new Pair(i, j));
        }
      }
    }
    return out;
  }

  /**
   * @param queries per view, N x d, L2-normalised, row r of every view from record r
   * @param keys per view, N x d, L2-normalised: row r of view j is the positive of every other
   *     view's row r
   * @param negatives per view, K_j x d, L2-normalised (null or 0 rows: none yet)
   * @param exclusions (query row, negative row) pairs to leave out, the same for every view: the
   *     views' negatives of one queue row come from one record
   */
  public Result compute(INDArray[] queries, INDArray[] keys, INDArray[] negatives,
      List<InfoNceLoss.Exclusion> exclusions) {
    int views = queries.length;
    if (keys.length != views || negatives.length != views) {
      throw new IllegalArgumentException("CMC needs queries, keys and negatives for each of the "
          + views + " views, got " + keys.length + " keys and " + negatives.length
          + " negatives");
    }
    List<Pair> pairs = pairs(graph, views);
    INDArray[] grad = new INDArray[views];
    double loss = 0;
    double positive = 0;
    double negative = 0;
    int withNegatives = 0;
    for (Pair p : pairs) {
      InfoNceLoss.Result r = infoNce.compute(queries[p.anchor()], keys[p.other()],
          negatives[p.other()], exclusions); // logits: N x (1 + K_j)
      grad[p.anchor()] = grad[p.anchor()] == null ? r.dLossDQuery()
          : grad[p.anchor()].addi(r.dLossDQuery());
      loss += r.loss();
      positive += r.positiveSimilarity();
      if (!Double.isNaN(r.negativeSimilarity())) {
        negative += r.negativeSimilarity();
        withNegatives++;
      }
    }
    int n = pairs.size();
    return new Result(loss / n, grad, n, positive / n,
        withNegatives == 0 ? Double.NaN : negative / withNegatives);
  }
}
