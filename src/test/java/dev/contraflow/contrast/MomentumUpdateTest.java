package dev.contraflow.contrast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class MomentumUpdateTest {

  @Test
  void keyEncoderMovesByOneMinusMTowardsTheQueryEncoder() {
    INDArray target = Nd4j.createFromArray(0.0, 10.0);
    INDArray online = Nd4j.createFromArray(1.0, 0.0);
    MomentumUpdate.constant(0.9).apply(target, online, 0);
    assertArrayEquals(new double[] {0.1, 9.0}, target.toDoubleVector(), 1e-12);
  }

  @Test
  void momentumOneFreezesAndZeroCopies() {
    INDArray frozen = Nd4j.createFromArray(3.0);
    MomentumUpdate.constant(1.0).apply(frozen, Nd4j.createFromArray(7.0), 0);
    assertEquals(3.0, frozen.getDouble(0), 0);
    INDArray copied = Nd4j.createFromArray(3.0);
    MomentumUpdate.constant(0.0).apply(copied, Nd4j.createFromArray(7.0), 0);
    assertEquals(7.0, copied.getDouble(0), 0);
  }

  @Test
  void updateOfAViewOfAFlatVectorChangesOnlyTheViewAsTheFormulaSays() {
    // encoders hand out their parameters as one flat vector or views into one
    INDArray flatTarget = Nd4j.createFromArray(1f, 2f, 3f, 4f, 5f, 6f);
    INDArray target = flatTarget.get(NDArrayIndex.interval(2, 5));
    INDArray online = Nd4j.createFromArray(30f, 40f, 50f);

    MomentumUpdate.constant(0.9).apply(target, online, 0);

    assertArrayEquals(new float[] {1f, 2f, 0.9f * 3 + 0.1f * 30, 0.9f * 4 + 0.1f * 40,
        0.9f * 5 + 0.1f * 50, 6f}, flatTarget.toFloatVector(), 1e-5f);
  }

  /**
   * A parameter vector long enough that the update is shared over threads moves every value as
   * one float loop would, bit for bit.
   */
  @Test
  void aLongVectorSharedOverThreadsMovesEveryValueAsOneLoopWould() {
    java.util.Random rng = new java.util.Random(3);
    float[] t = new float[100_003];
    float[] o = new float[t.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = (float) rng.nextGaussian();
      o[i] = (float) rng.nextGaussian();
    }
    INDArray target = Nd4j.createFromArray(t);
    MomentumUpdate.constant(0.99).apply(target, Nd4j.createFromArray(o), 0);
    float keep = 0.99f;
    float take = (float) (1 - 0.99);
    for (int i = 0; i < t.length; i++) {
      t[i] = keep * t[i] + take * o[i];
    }
    assertArrayEquals(t, target.toFloatVector());
  }

  @Test
  void cosineScheduleRisesFromBaseToOne() {
    MomentumUpdate m = new MomentumUpdate(0.99, MomentumUpdate.Schedule.COSINE, 100);
    assertEquals(0.99, m.momentumAt(0), 1e-12);
    assertEquals(0.995, m.momentumAt(50), 1e-12);
    assertEquals(1.0, m.momentumAt(100), 1e-12);
    assertEquals(1.0, m.momentumAt(500), 1e-12);
  }

  @Test
  void rejectsMomentumAboveOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MomentumUpdate.constant(1.5));
    assertEquals("momentum m must be in [0, 1], got 1.5 (MoCo uses 0.999, small data 0.99)",
        e.getMessage());
  }
}
