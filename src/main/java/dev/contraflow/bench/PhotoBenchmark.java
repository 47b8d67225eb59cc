package dev.contraflow.bench;

import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.ImageSource;
import dev.contraflow.learn.Embedding;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.OnlineTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * What a folder of photos costs: one training pass and one embedding pass over an {@link
 * ImageSource} as {@code train} and {@code embed} make them, with the refusals counted, and the
 * peak memory of the process: resident set (the kernel's high-water mark, which is what a
 * container limit sees) and the Java heap's peak. The embeddings are kept, as kNN would keep
 * them; the images never are.
 */
public final class PhotoBenchmark {

  /**
   * @param images files (or records) read per pass
   * @param embedded images embedded in the embedding pass
   * @param refused images refused, with their reasons printed
   * @param trainSeconds the training pass
   * @param embedSeconds the embedding pass
   * @param peakResidentBytes VmHWM of this process, empty where /proc is not there
   * @param peakHeapBytes the sum of the heap pools' peaks
   * @param maxHeapBytes the heap's limit
   */
  public record Result(int images, int embedded, int refused, double trainSeconds,
      double embedSeconds, OptionalLong peakResidentBytes, long peakHeapBytes,
      long maxHeapBytes) {}

  private static final int EMBED_BATCH = 256;

  private PhotoBenchmark() {}

  /** Trains {@code config}'s learner for one pass over {@code source}, then embeds it. */
  public static Result run(ImageSource source, LearnerConfig config, PrintStream out)
      throws IOException {
    Learner<Image> learner = Learner.images(config);
    List<String> refusals = new ArrayList<>();
    long started = System.nanoTime();
    LearnerState state = OnlineTrainer.trainPasses(learner, learner.initialState(),
        source.accepted(item -> refusals.add(item.describe() + ": " + item.refusal())), 1,
        source.size(), null, (m, seen, total) -> { });
    double trainSeconds = (System.nanoTime() - started) / 1e9;
    refusals.forEach(r -> out.println("refused " + r));

    started = System.nanoTime();
    List<float[]> embeddings = new ArrayList<>();
    List<Image> batch = new ArrayList<>(EMBED_BATCH);
    try (Stream<ImageSource.Item> items = source.items()) {
      for (ImageSource.Item item : (Iterable<ImageSource.Item>) items::iterator) {
        if (item.accepted()) {
          batch.add(item.image());
          if (batch.size() == EMBED_BATCH) {
            embed(learner, state, batch, embeddings);
          }
        }
      }
    }
    embed(learner, state, batch, embeddings);
    double embedSeconds = (System.nanoTime() - started) / 1e9;

    Result r = new Result(source.size(), embeddings.size(), refusals.size(), trainSeconds,
        embedSeconds, peakResidentBytes(), peakHeapBytes(), Runtime.getRuntime().maxMemory());
    print(r, source, out);
    return r;
  }

  private static void embed(Learner<Image> learner, LearnerState state, List<Image> batch,
      List<float[]> embeddings) {
    if (!batch.isEmpty()) {
      for (Embedding e : learner.embed(state, batch)) {
        embeddings.add(e.vector());
      }
      batch.clear();
    }
  }

  private static void print(Result r, ImageSource source, PrintStream out) {
    out.printf("images             %d from %s, decoded to %s%n", r.images(), source.path(),
        source.input());
    out.printf("embedded           %d (refused %d, each with its reason above)%n", r.embedded(),
        r.refused());
    out.printf("train pass         %.1f s (%.1f images/s)%n", r.trainSeconds(),
        r.images() / r.trainSeconds());
    out.printf("embed pass         %.1f s (%.1f images/s)%n", r.embedSeconds(),
        r.images() / r.embedSeconds());
    out.printf("peak resident      %s%n", r.peakResidentBytes().isPresent()
        ? mib(r.peakResidentBytes().getAsLong()) + " (VmHWM of this process)"
        : "n/a (no /proc/self/status here)");
    out.printf("peak heap          %s of a %s maximum%n", mib(r.peakHeapBytes()),
        mib(r.maxHeapBytes()));
  }

  private static String mib(long bytes) {
    return String.format("%.0f MiB", bytes / (1024.0 * 1024.0));
  }

  /** The kernel's high-water mark of this process's resident set (Linux). */
  static OptionalLong peakResidentBytes() {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return OptionalLong.empty();
    }
    try (Stream<String> lines = Files.lines(status)) {
      return lines.filter(l -> l.startsWith("VmHWM:"))
          .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024)
          .findFirst();
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The heap pools' peaks, summed: an upper bound of the heap's peak use. */
  static long peakHeapBytes() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }
}
