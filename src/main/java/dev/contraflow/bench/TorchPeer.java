package dev.contraflow.bench;

import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.encoder.NativeThreads;
import dev.contraflow.learn.LearnerConfig;
import java.util.Optional;
import java.util.stream.Stream;
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
 * The PyTorch peer of the speed benchmark (issue 20): the same MoCo v2 step (B, K, EMA, SGD) on
 * the same architecture as the configured encoder ({@code CNN}/{@code GEMM_CNN}, {@code
 * MLP}/{@code GEMM_MLP} or {@code PATCH_MLP}, at its widths), in PyTorch on the CPU, run in the
 * same minute so both see the same machine. The script ships in the jar
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
   * The peer script's name for an encoder kind's architecture, or empty for one it does not
   * build (the ResNet, and the sentence encoders).
   */
  static Optional<String> architecture(EncoderKind kind) {
    return switch (kind) {
      case CNN, GEMM_CNN -> Optional.of("cnn");
      case MLP, GEMM_MLP -> Optional.of("mlp");
      case PATCH_MLP -> Optional.of("patch_mlp");
      default -> Optional.empty();
    };
  }

  /**
   * Runs the peer with {@code threads} threads on {@code config}'s encoder shape, batch size and
   * queue size (its kind must have an {@link #architecture}), timing {@code steps} of its steps
   * (one update each), echoing its lines, and returns its MoCo v2 samples/s; empty (with the
   * reason printed) when Python or torch is missing or it fails.
   */
  public OptionalDouble samplesPerSecond(int threads, LearnerConfig config, int steps)
      throws IOException, InterruptedException {
    EncoderConfig e = config.encoder();
    String kind = architecture(e.kind()).orElseThrow(() -> new IllegalArgumentException(
        "the PyTorch peer builds CNN, MLP and PATCH_MLP shapes, not " + e.kind()));
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
      ProcessBuilder pb = new ProcessBuilder(Stream.of(PYTHON, script.toString(), threads, kind,
          e.baseWidth(), e.projectionHidden(), e.projectionDim(), e.channels(), e.height(),
          e.width(), config.batchSize(), config.queueSize(), steps).map(String::valueOf)
          .toList())
          .redirectErrorStream(true);
      // the peer's threads wait as contraflow's do (2.2x for the peer against libgomp's
      // spinning default on this machine, and 5-16% more with OpenBLAS's workers asleep too)
      NativeThreads.WAITS.forEach(pb.environment()::putIfAbsent);
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
