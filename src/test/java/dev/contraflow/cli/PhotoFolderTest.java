package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.bench.PhotoCorpus;
import dev.contraflow.io.image.EncoderInput;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.ImageSource;
import dev.contraflow.learn.ModelFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A folder of photos as users have them ({@link PhotoCorpus}: sizes up to 8192 x 8192, an EXIF
 * rotation, grey, RGB, RGBA and 16-bit PNGs, truncated files, a non-image) through the commands:
 * every image is embedded or refused with its reason, for a 28 x 28 grey model and a 64 x 64 RGB
 * one.
 */
class PhotoFolderTest {

  @TempDir static Path dir;
  private static Path photos;
  private static List<PhotoCorpus.Entry> corpus;

  private final StringWriter errors = new StringWriter();

  @BeforeAll
  static void writeCorpus() throws Exception {
    photos = dir.resolve("photos");
    corpus = PhotoCorpus.write(photos, 1);
  }

  @ParameterizedTest(name = "{0}x{1}x{2}")
  @CsvSource({"1, 28, 28", "3, 64, 64"})
  void everyFileIsDecodedToTheModelsInputOrRefusedWithTheCorpussReason(int channels, int height,
      int width) throws Exception {
    ImageSource source = ImageSource.open(photos, 0,
        new ImageDecoder(EncoderInput.of(channels, height, width)));
    List<ImageSource.Item> items;
    try (Stream<ImageSource.Item> all = source.items()) {
      items = all.toList();
    }

    assertEquals(corpus.size(), items.size());
    assertEquals(1, source.ignoredFiles(), PhotoCorpus.IGNORED_FILE + " is left alone");
    for (ImageSource.Item item : items) {
      PhotoCorpus.Entry expected = corpus.get(item.index());
      assertEquals(expected.name(), item.file().getFileName().toString());
      if (expected.embedded()) {
        assertTrue(item.accepted(), expected.name() + ": " + item.refusal());
        assertEquals(channels * height * width, item.image().size(), expected.name());
      } else {
        assertTrue(item.refusal().contains(expected.refusal().get()),
            expected.name() + ": " + item.refusal());
      }
    }
  }

  @ParameterizedTest(name = "{0}x{1}x{2}")
  @CsvSource({"1, 28, 28", "3, 64, 64"})
  void trainAndEmbedEmbedEveryGoodPhotoAndNameEveryRefusedOneWithItsReason(int channels,
      int height, int width, @TempDir Path work) throws Exception {
    Path model = work.resolve("photos.cfm");
    Path out = work.resolve("photos.jsonl");
    String[] shape = {"--input-channels", "" + channels, "--input-height", "" + height,
        "--input-width", "" + width};

    String trainLog = stderrOf(0, concat(new String[] {"train", "--images", photos.toString(),
        "--passes", "2", "--batch-size", "4", "--width", "4", "--head-hidden", "16", "--dim",
        "8", "--queue-size", "8", "--updates-per-batch", "1", "--replay-capacity", "0",
        "--model-out", model.toString()}, shape));
    String embedLog = stderrOf(0, "embed", "--model", model.toString(), "--images",
        photos.toString(), "--batch-size", "3", "--out", out.toString());

    ModelFile.Model m = ModelFile.read(model);
    assertEquals(channels, m.config().encoder().channels());
    assertEquals(height, m.config().encoder().height());
    List<Integer> embeddedIds = new ArrayList<>();
    for (String line : Files.readAllLines(out)) {
      embeddedIds.add(Integer.parseInt(line.substring(line.indexOf(':') + 2, line.indexOf(','))));
    }
    assertEquals(IntStream.range(0, corpus.size()).filter(i -> corpus.get(i).embedded())
        .boxed().toList(), embeddedIds, "one line per good photo, with its position as id");
    int refused = 0;
    for (int i = 0; i < corpus.size(); i++) {
      PhotoCorpus.Entry e = corpus.get(i);
      if (!e.embedded()) {
        refused++;
        String line = "refused image " + i + " (" + photos.resolve(e.name()) + "): ";
        for (String log : List.of(trainLog, embedLog)) {
          int at = log.indexOf(line);
          assertTrue(at >= 0 && log.substring(at, log.indexOf('\n', at))
              .contains(e.refusal().get()), e.name() + " in:\n" + log);
        }
        assertEquals(trainLog.indexOf(line), trainLog.lastIndexOf(line),
            "told once, though both passes meet it");
      }
    }
    assertTrue(trainLog.contains((corpus.size() - refused) + " images trained on, " + refused
        + " refused"), trainLog);
    assertEquals(String.valueOf(2 * (corpus.size() - refused)), m.provenance().get("samples"));
  }

  @Test
  void embedRefusesAnInputShapeOtherThanTheModels(@TempDir Path work) throws Exception {
    Path model = work.resolve("grey.cfm");
    stderrOf(0, "train", "--images", photos.toString(), "--limit", "4", "--batch-size", "4",
        "--width", "4", "--head-hidden", "16", "--dim", "8", "--queue-size", "8",
        "--updates-per-batch", "1", "--replay-capacity", "0", "--model-out", model.toString());

    stderrOf(1, "embed", "--model", model.toString(), "--images", photos.toString(),
        "--input-channels", "3", "--out", work.resolve("x.jsonl").toString());

    assertTrue(errors.toString().contains("--input-channels 3 differs from the model's 1"),
        errors.toString());
  }

  @Test
  @Tag("slow")
  void demoEmbedsEveryGoodPhotoWithA64x64RgbModelAndDeadLettersTheRestWithReasons(
      @TempDir Path work) throws Exception {
    StringWriter out = new StringWriter();
    int code = Contraflow.run(new PrintWriter(out, true), new PrintWriter(errors, true), "demo",
        "--images", photos.toString(), "--limit", "0", "--work-dir", work.toString(),
        "--input-channels", "3", "--input-height", "64", "--input-width", "64",
        "--set", "learner.batchSize=4", "--set", "learner.encoder.baseWidth=4",
        "--set", "learner.encoder.projectionHidden=16", "--set", "learner.encoder.projectionDim=8",
        "--set", "learner.queueSize=8", "--set", "job.checkpointInterval=300ms",
        "--set", "learner.replay.capacity=0", "--set", "learner.replay.updatesPerBatch=1",
        "--set", "publish.everySteps=1");
    String summary = out.toString();

    assertEquals(0, code, errors.toString());
    long good = corpus.stream().filter(PhotoCorpus.Entry::embedded).count();
    assertTrue(summary.contains("records in         " + corpus.size()), summary);
    assertTrue(summary.contains("embeddings out     " + good + " "), summary);
    assertTrue(summary.contains("dead letters       " + (corpus.size() - good)), summary);
    for (int i = 0; i < corpus.size(); i++) {
      PhotoCorpus.Entry e = corpus.get(i);
      if (!e.embedded()) {
        String line = "  contraflow.images offset " + i + ": ";
        int at = summary.indexOf(line);
        assertTrue(at >= 0 && summary.substring(at, summary.indexOf('\n', at))
            .contains(e.refusal().get()), e.name() + " in:\n" + summary);
      }
    }
  }

  /** Runs a command, asserts its exit code, and returns what it printed on System.err. */
  private String stderrOf(int exitCode, String... args) {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Contraflow.run(new PrintWriter(errors, true), args);
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertEquals(exitCode, code, errors + log);
    return log;
  }

  private static String[] concat(String[] a, String[] b) {
    return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
  }
}
