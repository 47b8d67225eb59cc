package dev.contraflow.bench;

import dev.contraflow.encoder.Encoder;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderFlops;
import dev.contraflow.encoder.NativeMemory;
import dev.contraflow.encoder.OptimizerConfig;
import java.io.PrintStream;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Encoders alone, interleaved: one training forward and backward + update of each encoder in
 * turn, then one 1024^3 matmul, repeated, so that every encoder and the matmul limit see the same
 * machine even when other work comes and goes (issue 20: DL4J graphs against the GEMM encoders).
 * Each step runs in the learner's step workspace ({@link NativeMemory#step()}).
 * Model FLOPs per sample: 3 forward passes (forward + backward).
 */
public final class EncoderSpeed {

  private final PrintStream out;

  public EncoderSpeed(PrintStream out) {
    this.out = out;
  }

  /** Times {@code rounds} rounds (after one warm-up) at batch {@code batch}; prints one line each. */
  public void compare(List<EncoderConfig> configs, int batch, int rounds) {
    Encoder[] encoders = configs.stream()
        .map(c -> Encoder.create(c, OptimizerConfig.mocoDefaults())).toArray(Encoder[]::new);
    EncoderConfig first = configs.get(0);
    INDArray x = Nd4j.rand(DataType.FLOAT, batch, first.channels(), first.height(), first.width());
    INDArray a = Nd4j.rand(DataType.FLOAT, 1024, 1024);
    INDArray b = Nd4j.rand(DataType.FLOAT, 1024, 1024);
    INDArray c = Nd4j.create(DataType.FLOAT, 1024, 1024);
    long[] forward = new long[encoders.length];
    long[] backward = new long[encoders.length];
    long matmul = 0;
    for (int r = 0; r <= rounds; r++) {
      for (int i = 0; i < encoders.length; i++) {
        long t0;
        long t1;
        long t2;
        // in a step workspace, as the learner runs a step: ND4J's allocations outside one cost
        // several times the arithmetic of an op on these sizes
        try (NativeMemory.Step scratch = NativeMemory.step()) {
          t0 = System.nanoTime();
          Encoder.Forward f = encoders[i].forwardForTraining(x);
          t1 = System.nanoTime();
          encoders[i].backwardAndUpdate(f.projection().dup(), r); // dL/dz = z: any will do
          t2 = System.nanoTime();
        }
        if (r > 0) {
          forward[i] += t1 - t0;
          backward[i] += t2 - t1;
        }
      }
      long t = System.nanoTime();
      a.mmuli(b, c);
      if (r > 0) {
        matmul += System.nanoTime() - t;
      }
    }
    double peak = rounds * 2.0 * 1024 * 1024 * 1024 / matmul;
    out.printf("encoders alone, interleaved, B%d, %d rounds; ND4J matmul 1024^3 between them:"
        + " %.1f GFLOP/s%n", batch, rounds, peak);
    for (int i = 0; i < encoders.length; i++) {
      EncoderConfig e = configs.get(i);
      double seconds = (forward[i] + backward[i]) / 1e9 / rounds;
      double gflops = 3.0 * EncoderFlops.forward(e) * batch / seconds / 1e9;
      out.printf("%-10s w%-3d forward %7.1f ms  backward+update %7.1f ms  %7.0f samples/s"
              + "  %6.2f model GFLOP/s  ratio %.2f%n", e.kind(), e.baseWidth(),
          forward[i] / 1e6 / rounds, backward[i] / 1e6 / rounds, batch / seconds, gflops,
          gflops / peak);
    }
  }
}
