package dev.contraflow.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CrossModalRetrievalTest {

  @Test
  void eachQueryFindingItsOwnTargetFirstHasRecallOne() {
    INDArray eye = Nd4j.create(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
    CrossModalRetrieval.Result r = CrossModalRetrieval.evaluate(eye, eye.dup(),
        new int[] {0, 1, 2}, 1, 2);
    assertArrayEquals(new double[] {1, 1}, r.recallAtK(), 1e-12);
    assertEquals(1.0, r.classHitAt1(), 1e-12);
  }

  @Test
  void identicalTargetsCountAsARandomOrder() {
    // four identical captions: the own one is first with probability 1/4, in the top 2 with 1/2
    INDArray queries = Nd4j.create(new double[][] {{1, 0}, {0.6, 0.8}, {0, 1}, {-1, 0}});
    INDArray targets = Nd4j.create(new double[][] {{0, 1}, {0, 1}, {0, 1}, {0, 1}});
    CrossModalRetrieval.Result r = CrossModalRetrieval.evaluate(queries, targets,
        new int[] {0, 0, 1, 1}, 1, 2, 10);
    assertArrayEquals(new double[] {0.25, 0.5, 1.0}, r.recallAtK(), 1e-12);
    assertEquals(0.5, r.classHitAt1(), 1e-12); // half of the tied best targets share the class
  }

  @Test
  void aTargetRankedSecondIsAMissAtOneAndAHitAtTwo() {
    INDArray queries = Nd4j.create(new double[][] {{1, 0}, {0, 1}});
    INDArray targets = Nd4j.create(new double[][] {{0.6, 0.8}, {1, 0}}); // query 0 prefers 1
    CrossModalRetrieval.Result r = CrossModalRetrieval.evaluate(queries, targets,
        new int[] {3, 7}, 1, 2);
    // query 0: own 0.6 < 1.0 -> rank 2; query 1: own 0 < 0.8 -> rank 2
    assertArrayEquals(new double[] {0, 1}, r.recallAtK(), 1e-12);
    assertEquals(0.0, r.classHitAt1(), 1e-12);
  }
}
