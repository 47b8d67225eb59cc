package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.learn.Method;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code bench speed}'s options reach its driver: a tiny encoder, one measured step each. */
class BenchSpeedCommandTest {

  private static final String[] TINY = {"--data", "src/test/resources/fashion-mnist-subset",
      "--encoder", "mlp", "--width", "4", "--head-hidden", "16", "--dim", "8", "--batch-size", "8",
      "--queue-size", "64", "--steps", "1", "--warmup", "1"}; // a full queue after one step

  @Test
  void methodsComparesEveryImageMethodToMocoInOneTable() {
    String out = run("--methods");
    assertTrue(out.contains("| method | samples/s | / MoCo v2 |"), out);
    for (Method m : Method.values()) {
      assertEquals(!m.forSentences(), out.contains("\n| " + m + " | "), m + " in " + out);
    }
    assertTrue(out.matches("(?s).*\\| MOCO \\| \\d+ \\| 1\\.00 \\|.*"),
        "MoCo's own ratio is 1: " + out);
  }

  @Test
  void withoutMethodsItMeasuresTheStepAgainstTheMatmulLimit() {
    String out = run();
    assertTrue(out.contains("ND4J float matmul 1024^3: "), out);
    assertTrue(out.contains("train step, MLP w4 B8"), out);
    assertTrue(out.contains("train step + embed (stream job)"), out);
  }

  @Test
  void gemmTimesBothPathsAtEveryLayersShapesAndInfoNces() {
    String out = run("--gemm");
    assertTrue(out.contains("Nd4j.gemm against encoder.Gemm (direct OpenBLAS: true), 10 calls"),
        out);
    // width 4: 784 -> 64 -> 32 (the representation) -> 16 (head hidden) -> 8, K 64
    for (String layer : new String[] {"fc 784->64", "fc 64->32", "fc 32->16", "fc 16->8"}) {
      for (String pass : new String[] {" forward", " dW", " dx"}) {
        assertTrue(out.contains(layer + pass), layer + pass + " in " + out);
      }
    }
    assertTrue(out.matches("(?s).*InfoNCE logits +8 x +8 x +64 .*"), out);
    assertTrue(out.matches("(?s).*InfoNCE dq +8 x +64 x +8 .*"), out);
  }

  /** Runs {@code bench speed} with the tiny options and {@code more}; returns what it printed. */
  private static String run(String... more) {
    String[] args = new String[2 + TINY.length + more.length];
    args[0] = "bench";
    args[1] = "speed";
    System.arraycopy(TINY, 0, args, 2, TINY.length);
    System.arraycopy(more, 0, args, 2 + TINY.length, more.length);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream original = System.out;
    StringWriter err = new StringWriter();
    int code;
    // the benchmarks print their tables to standard output, as a user runs them
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      code = Contraflow.run(new PrintWriter(err, true), args);
    } finally {
      System.setOut(original);
    }
    assertEquals(0, code, err.toString());
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
