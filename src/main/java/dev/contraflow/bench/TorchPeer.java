package dev.contraflow.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PyTorch peer of the speed benchmark (issue 20): the same MoCo v2 step (B 256, K 4096, EMA,
 * SGD) on the same architecture as {@code CNN}/{@code GEMM_CNN} w32, in PyTorch on the CPU,
 * run in the same minute so both see the same machine. The script ships in the jar
 * ({@code bench/torch_moco_speed.py}); it needs {@code /usr/bin/python3} with torch (Debian:
 * {@code apt-get install python3-torch libopenblas0-pthread}). Its views are random tensors:
 * augmentation, ~2% of contraflow's step, is excluded there.
 */
public final class TorchPeer {

  static final String PYTHON = "/usr/bin/python3";
  private static final String SCRIPT = "/bench/torch_moco_speed.py";
  private static final Pattern SAMPLES = Pattern.compile("([0-9.]+) samples/s");

  private final PrintStream out;

  public TorchPeer(PrintStream out) {
    this.out = out;
  }

  /**
   * Runs the peer with {@code threads} threads, echoing its lines, and returns its MoCo v2
   * samples/s; empty (with the reason printed) when Python or torch is missing or it fails.
   */
  public OptionalDouble samplesPerSecond(int threads) throws IOException, InterruptedException {
    if (!Files.isExecutable(Path.of(PYTHON))) {
      out.println("peer: " + PYTHON + " not found; install python3-torch and"
          + " libopenblas0-pthread to compare with PyTorch");
      return OptionalDouble.empty();
    }
    Path script = Files.createTempFile("torch_moco_speed", ".py");
    try (InputStream in = TorchPeer.class.getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IllegalStateException(SCRIPT + " is missing from the jar");
      }
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
      ProcessBuilder pb = new ProcessBuilder(PYTHON, script.toString(), Integer.toString(threads))
          .redirectErrorStream(true);
      pb.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
      Process p = pb.start();
      OptionalDouble result = OptionalDouble.empty();
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          out.println("peer: " + line);
          Matcher m = SAMPLES.matcher(line);
          if (m.find()) {
            result = OptionalDouble.of(Double.parseDouble(m.group(1)));
          }
        }
      }
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        out.println("peer: exited abnormally (no torch? see its lines above)");
        return OptionalDouble.empty();
      }
      return result;
    } finally {
      Files.deleteIfExists(script);
    }
  }
}
