package dev.contraflow.bench;

import dev.contraflow.encoder.EncoderFlops;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.io.image.Image;
import dev.contraflow.learn.Batch;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.Method;
import dev.contraflow.learn.StepResult;
import dev.contraflow.learn.StepTimings;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Training throughput of {@code Learner.step} against the machine's matmul limit, in one run.
 *
 * <p>Model FLOPs per record and update: each view through the trained encoder forward and backward
 * (backward ~ 2x forward, so 3 forward passes) and each view through the momentum encoder forward
 * (1), as the method runs them ({@link #forwardPassesPerRecord}): MoCo v2 4 (the query view
 * trained, the key view through the key encoder), CMC 4V; embedding each record (what the
 * streaming job does) adds one more, once. With replay a micro-batch
 * of B records takes {@code updatesPerBatch} updates of B samples each: samples/s counts the
 * incoming records, trained samples/s the samples the updates train on (records x updates),
 * which is what a one-update-per-batch peer's samples/s compares with.
 */
public final class SpeedBenchmark {

  /** One measured configuration. */
  public record Result(String name, double samplesPerSecond, int updatesPerBatch,
      double modelGflops, double matmulGflops, StepTimings timings, int steps) {

    public double ratio() {
      return modelGflops / matmulGflops;
    }

    /** Samples through a gradient update per second: incoming records x updates per batch. */
    public double trainedSamplesPerSecond() {
      return samplesPerSecond * updatesPerBatch;
    }

    /**
     * {@link #trainedSamplesPerSecond} with the views' augmentation taken out of the measured
     * time: what the PyTorch peer counts, whose views are random tensors.
     */
    public double trainedSamplesPerSecondWithoutAugmentation() {
      double augmented = (double) timings.augmentNanos() / timings.totalNanos();
      return trainedSamplesPerSecond() / (1 - augmented);
    }
  }

  private final PrintStream out;

  public SpeedBenchmark(PrintStream out) {
    this.out = out;
  }

  /**
   * {@code bench speed}: the matmul limit, then {@code config}'s train step, the same step with
   * the stream job's embedding, and (for a convolutional encoder) the MLP encoder of the same
   * width, each as samples/s and as a fraction of the matmul limit. A new comparison is one more
   * {@link #measure} line here.
   */
  public Result compareEncoders(LearnerConfig config, List<Image> images, int warmup,
      int steps) {
    double peak = MatmulPeak.gflops(1024, 9);
    out.printf("ND4J float matmul 1024^3: %.1f GFLOP/s (median of 9)%n", peak);
    Result train = measure("train step, " + config.encoder().kind() + " w" + config.encoder().baseWidth()
        + " B" + config.batchSize(), config, images, false, warmup, steps, peak);
    measure("train step + embed (stream job)", config, images, true, warmup, steps, peak);
    if (config.encoder().kind() != EncoderKind.MLP) {
      LearnerConfig mlp = config.withEncoder(config.encoder().withKind(EncoderKind.MLP));
      measure("train step, MLP w" + mlp.encoder().baseWidth(), mlp, images, false, warmup,
          steps, peak);
    }
    return train;
  }

  /**
   * {@code bench speed --methods}: every image method's train step on {@code base}'s encoder,
   * with the method's paper temperature, in one run; a table of samples/s and the ratio to MoCo
   * v2's.
   */
  public Map<Method, Double> compareMethods(LearnerConfig base, List<Image> images, int warmup,
      int steps) {
    Map<Method, Double> samplesPerSecond = new LinkedHashMap<>();
    for (Method m : Method.values()) {
      if (m.forSentences()) {
        continue;
      }
      LearnerConfig c = base.withMethod(m).withTemperature(m.defaultTemperature());
      // InstDisc trains only on records its bank has seen: it cycles over one batch of images,
      // which the warm-up step stores, so every measured step is a full step
      List<Image> measured = m == Method.INSTDISC
          ? images.subList(0, Math.min(images.size(), c.batchSize())) : images;
      samplesPerSecond.put(m, measure(m + ", " + c.encoder().kind() + " w"
          + c.encoder().baseWidth() + " B" + c.batchSize(), c, measured, false,
          Math.max(warmup, 1), steps, Double.NaN).samplesPerSecond());
    }
    double moco = samplesPerSecond.get(Method.MOCO);
    out.println();
    out.println("| method | samples/s | / MoCo v2 |");
    out.println("|---|---|---|");
    samplesPerSecond.forEach((m, v) -> out.printf("| %s | %.0f | %.2f |%n", m, v, v / moco));
    return samplesPerSecond;
  }

  /**
   * Steps {@code steps} batches of {@code images}, cycling through them, after a warm-up of at
   * least {@code warmup} steps and {@link #stepsToSteadyState}, and until the JIT has settled
   * ({@link JitWarmUp}). {@code matmulGflops} NaN: report samples/s only.
   */
  public Result measure(String name, LearnerConfig config, List<Image> images, boolean embed,
      int warmup, int steps, double matmulGflops) {
    Learner<Image> learner = Learner.images(config);
    LearnerState state = learner.initialState();
    int b = config.batchSize();
    int least = Math.max(warmup, stepsToSteadyState(config));
    JitWarmUp jit = new JitWarmUp();
    int batch = 0;
    boolean settled = false;
    while (jit.steps() < least || !settled) {
      long compiled = jit.compileMillis();
      long t = System.nanoTime();
      state = learner.step(state, new Batch(slice(images, batch++ * b, b), embed)).state();
      settled = jit.settledAfter(jit.compileMillis() - compiled, System.nanoTime() - t);
    }
    StepTimings total = StepTimings.zero();
    long nanos = 0;
    long compiledBefore = jit.compileMillis();
    for (int i = 0; i < steps; i++) {
      long t = System.nanoTime();
      StepResult r = learner.step(state, new Batch(slice(images, batch++ * b, b), embed));
      nanos += System.nanoTime() - t;
      state = r.state();
      total = total.plus(r.metrics().timings());
    }
    long compiledMillis = jit.compileMillis() - compiledBefore;
    double samplesPerSecond = (double) steps * b * 1e9 / nanos;
    int updates = config.replay().updatesPerBatch();
    long flopsPerSample = (forwardPassesPerRecord(config) * updates + (embed ? 1 : 0))
        * EncoderFlops.forward(config.encoder());
    Result r = new Result(name, samplesPerSecond, updates, samplesPerSecond * flopsPerSample / 1e9,
        matmulGflops, total, steps);
    print(r);
    out.printf("    warm-up %d steps (at least %d); JIT compiling %.1f%% of the measured time%n",
        jit.steps(), least, 100 * compiledMillis * 1e6 / nanos);
    return r;
  }

  /**
   * Forward passes' worth of encoder FLOPs per record and update: 3 per view the trained encoder
   * sees (forward and a backward of ~2 forwards) and 1 per view the momentum encoder sees.
   */
  static long forwardPassesPerRecord(LearnerConfig config) {
    int local = switch (config.method()) {
      case SWAV -> config.swav().localCrops();
      case DINO -> config.dino().localCrops();
      default -> 0;
    };
    int[] trainedAndMomentum = switch (config.method()) {
      case MOCO -> new int[] {1, 1}; // the query view; the key view
      case INSTDISC -> new int[] {1, 0}; // one view against the memory bank
      case SIMCLR, SIMSIAM -> new int[] {2, 0};
      case MOCO_V3, BYOL -> new int[] {2, 2}; // symmetrised: both views through both
      case SWAV -> new int[] {2 + local, 0};
      case DINO -> new int[] {2 + local, 2}; // the teacher sees the global views only
      case CMC -> new int[] {config.cmc().views(), config.cmc().views()};
      case SIMCSE, ESIMCSE, CONSERT, CPC -> throw new IllegalArgumentException(
          config.method() + " learns from sentences; bench speed measures image methods");
    };
    return 3L * trainedAndMomentum[0] + trainedAndMomentum[1];
  }

  /**
   * Steps before a step costs what every later one does: the queue full (its logits stop
   * growing; the peer's queue is full from its first step) and then one more, in which the step
   * workspace has grown to its final size (each growth reallocates and zeroes the whole block:
   * 7% of the measured time with a warm-up of one step). 0 for a method without a queue of K
   * keys (InstDisc's bank holds every id but draws a fixed number of negatives).
   */
  static int stepsToSteadyState(LearnerConfig config) {
    if (!config.method().usesQueue() || config.method() == Method.INSTDISC) {
      return 0;
    }
    long perStep = (long) config.batchSize() * config.replay().updatesPerBatch();
    return (int) ((config.queueSize() + perStep - 1) / perStep) + 1;
  }

  /**
   * Runs the PyTorch peer ({@link TorchPeer}) right after {@code ours}, on the same encoder
   * shape, batch and queue size, and prints samples/s side by side. The peer runs MoCo v2: another
   * method is compared all the same, with a warning.
   */
  public void comparePeer(Result ours, LearnerConfig config) throws Exception {
    if (TorchPeer.architecture(config.encoder().kind()).isEmpty()) {
      out.println("peer: the PyTorch peer builds CNN, MLP and PATCH_MLP shapes, not "
          + config.encoder().kind() + "; nothing to compare");
      return;
    }
    // as many updates timed as ours: 20 of the peer's (0.8 s) read 6,150-7,460 samples/s
    // within minutes on the quiet machine
    OptionalDouble peer = new TorchPeer(out).samplesPerSecond(
        Runtime.getRuntime().availableProcessors(), config, ours.steps() * ours.updatesPerBatch());
    if (peer.isEmpty()) {
      return;
    }
    // like for like: the peer's views are random tensors, so its step has no augmentation
    double p = peer.getAsDouble();
    double bare = ours.trainedSamplesPerSecondWithoutAugmentation();
    out.printf("%s: %.1f trained samples/s without augmentation (%.1f with it), PyTorch peer"
            + " %.1f samples/s (no augmentation): %.2fx the peer (%.2fx with augmentation)%s%n",
        ours.name(), bare, ours.trainedSamplesPerSecond(), p, bare / p,
        ours.trainedSamplesPerSecond() / p,
        config.method() == Method.MOCO ? "" : " (the peer runs MoCo v2, not " + config.method()
            + ")");
  }

  private void print(Result r) {
    StepTimings t = r.timings();
    double all = t.totalNanos();
    String trained = r.updatesPerBatch() == 1 ? "" : String.format(
        " (%d updates each: %.1f trained samples/s)", r.updatesPerBatch(),
        r.trainedSamplesPerSecond());
    if (Double.isNaN(r.matmulGflops())) { // no FLOP model for this comparison
      out.printf("%-34s %8.1f samples/s%s%n", r.name(), r.samplesPerSecond(), trained);
    } else {
      out.printf("%-34s %8.1f samples/s%s  %6.2f model GFLOP/s  ratio %.3f%n", r.name(),
          r.samplesPerSecond(), trained, r.modelGflops(), r.ratio());
    }
    out.printf("    time: augment %.0f%%, forward %.0f%%, loss %.0f%%, backward+update %.0f%%,"
            + " momentum %.0f%%, queue %.0f%%, embed %.0f%%, state copy %.0f%%%n",
        pct(t.augmentNanos(), all), pct(t.forwardNanos(), all), pct(t.lossNanos(), all),
        pct(t.backwardNanos(), all), pct(t.momentumNanos(), all), pct(t.queueNanos(), all),
        pct(t.embedNanos(), all), pct(t.stateCopyNanos(), all));
  }

  private static double pct(long part, double all) {
    return 100.0 * part / all;
  }

  private static List<Image> slice(List<Image> images, int from, int n) {
    List<Image> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(images.get((from + i) % images.size()));
    }
    return out;
  }
}
