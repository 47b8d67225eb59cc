package dev.contraflow.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.Gemm;
import dev.contraflow.encoder.NativeMemory;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code Nd4j.gemm} against {@link Gemm}'s direct OpenBLAS call at the GEMM_MLP step's own shapes
 * (each fully connected layer's forward, weight gradient and input gradient, InfoNCE's logits and
 * gradient), the two paths alternating call by call so that both see the same machine. Besides
 * the median wall time it reports the process CPU time per call (mean): on a loaded machine the
 * wall time mostly measures the other processes, the CPU time what a call costs.
 */
public final class GemmPaths {

  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** C (m x n) = op(A) op(B) with k the inner dimension. */
  private record Shape(String what, int m, int k, int n, boolean transposeA, boolean transposeB) {}

  private final PrintStream out;

  public GemmPaths(PrintStream out) {
    this.out = out;
  }

  /** One line per shape of {@code encoder} at batch {@code batch} and K = {@code queue}. */
  public void compare(EncoderConfig encoder, int batch, int queue, int calls) {
    out.printf("Nd4j.gemm against encoder.Gemm (direct OpenBLAS: %b), %d calls each,"
        + " alternating%n", Gemm.direct(), calls);
    for (Shape s : shapes(encoder, batch, queue)) {
      INDArray a = s.transposeA() ? rand(s.k(), s.m()) : rand(s.m(), s.k());
      INDArray b = s.transposeB() ? rand(s.n(), s.k()) : rand(s.k(), s.n());
      INDArray c = Nd4j.create(DataType.FLOAT, s.m(), s.n());
      Runnable viaNd4j = () -> Nd4j.gemm(a, b, c, s.transposeA(), s.transposeB(), 1.0, 0.0);
      Runnable direct = () -> Gemm.gemm(a, b, c, s.transposeA(), s.transposeB(), 1.0, 0.0);
      long[][] nd4j = new long[2][calls]; // [wall, cpu][call]
      long[][] ours = new long[2][calls];
      for (int i = -3; i < calls; i++) { // three warm-ups each
        time(viaNd4j, nd4j, i);
        time(direct, ours, i);
      }
      double flop = 2.0 * s.m() * s.n() * s.k();
      out.printf("%-26s %5d x %5d x %5d  Nd4j.gemm %7.3f ms (%6.1f GFLOP/s, CPU %7.3f ms)"
              + "  direct %7.3f ms (%6.1f GFLOP/s, CPU %7.3f ms)%n", s.what(), s.m(), s.k(),
          s.n(), median(nd4j[0]) / 1e6, flop / median(nd4j[0]), mean(nd4j[1]) / 1e6,
          median(ours[0]) / 1e6, flop / median(ours[0]), mean(ours[1]) / 1e6);
    }
  }

  /** The MLP kinds' layers: input -> 16w -> 8w (the representation) -> head hidden -> d. */
  private static List<Shape> shapes(EncoderConfig e, int batch, int queue) {
    int w = e.baseWidth();
    int[] widths = {e.inputSize(), 16 * w, 8 * w, e.projectionHidden(), e.projectionDim()};
    List<Shape> shapes = new ArrayList<>();
    for (int i = 0; i + 1 < widths.length; i++) {
      int in = widths[i];
      int out = widths[i + 1];
      if (in == 0 || out == 0) {
        continue; // a linear head has no hidden layer
      }
      String layer = "fc " + in + "->" + out;
      shapes.add(new Shape(layer + " forward", batch, in, out, false, false)); // x W
      shapes.add(new Shape(layer + " dW", in, batch, out, true, false)); // x^T dy
      shapes.add(new Shape(layer + " dx", batch, out, in, false, true)); // dy W^T
    }
    int d = e.projectionDim();
    shapes.add(new Shape("InfoNCE logits", batch, d, queue, false, true)); // q N^T
    shapes.add(new Shape("InfoNCE dq", batch, queue, d, false, false)); // p N
    return shapes;
  }

  private static INDArray rand(int rows, int columns) {
    return Nd4j.rand(DataType.FLOAT, rows, columns);
  }

  /** Runs one call in the step workspace, as the learner does; records it unless a warm-up. */
  private static void time(Runnable call, long[][] into, int i) {
    try (NativeMemory.Step scratch = NativeMemory.step()) {
      long cpu = OS.getProcessCpuTime();
      long wall = System.nanoTime();
      call.run();
      if (i >= 0) {
        into[0][i] = System.nanoTime() - wall;
        into[1][i] = OS.getProcessCpuTime() - cpu;
      }
    }
  }

  private static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static double mean(long[] values) {
    return Arrays.stream(values).average().orElse(Double.NaN);
  }
}
