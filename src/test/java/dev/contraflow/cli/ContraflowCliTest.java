package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.ImageRecord;
import dev.contraflow.io.image.IdxReader;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.record.ImageRecords;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.kafka.EmbeddedKafka;
import dev.contraflow.kafka.RecordProducer;
import dev.contraflow.learn.ModelFile;
import dev.contraflow.learn.replay.ReplayConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContraflowCliTest {

  private static final String SUBSET = "src/test/resources/fashion-mnist-subset";

  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Contraflow.run(new PrintWriter(err, true), args);
  }

  @Test
  void everyCommandHasHelp() {
    for (List<String> cmd : List.of(List.of("--help"), List.of("train", "--help"),
        List.of("embed", "--help"), List.of("bench", "quality", "--help"),
        List.of("bench", "text", "--help"), List.of("bench", "cpc", "--help"),
        List.of("bench", "speed", "--help"), List.of("bench", "stream", "--help"),
        List.of("demo", "--help"), List.of("learn", "--help"), List.of("eval", "--help"),
        List.of("backfill", "--help"), List.of("serve", "--help"))) {
      assertEquals(0, run(cmd.toArray(String[]::new)), String.join(" ", cmd));
    }
    StringWriter out = new StringWriter();
    Contraflow.run(new PrintWriter(out, true), new PrintWriter(err, true), "bench", "text",
        "--help");
    Contraflow.run(new PrintWriter(out, true), new PrintWriter(err, true), "eval", "--help");
    assertTrue(out.toString().contains("(90% of synsets)")
        && out.toString().contains("the last 20% of --images"), "percent signs format: " + out);
  }

  @Test
  void missingRequiredOptionExitsWithTwoAndSaysWhich() {
    assertEquals(2, run("train", "--passes", "1"));
    assertTrue(err.toString().contains("--images"), err.toString());
  }

  @Test
  void cpcTrainsOnASentenceFileReadAsOneDocumentAndItsModelEmbeds(@TempDir Path dir)
      throws Exception {
    Path text = dir.resolve("story.txt");
    Files.writeString(text, "the cat sat on the mat\nA dog barked.\nrain fell all night\n"
        + "she sold sea shells\nthe market rose today\nthe bread was warm\n");
    Path model = dir.resolve("cpc.cfm");
    assertEquals(0, run("train", "--sentences", text.toString(), "--method", "CPC", "--passes",
        "2", "--batch-size", "3", "--width", "8", "--buckets", "256", "--head-hidden", "16",
        "--dim", "8", "--prediction-steps", "2", "--context-kernel", "2", "--window-sequences",
        "4", "--cpc-queue-size", "5", "--model-out", model.toString()), err.toString());
    ModelFile.SentenceModel m = ModelFile.readSentenceModel(model);
    assertEquals(4, m.state().step()); // 6 lines x 2 passes / 3
    assertEquals(new dev.contraflow.learn.SentenceLearnerConfig.Cpc(2, 2, 0, 4, 5),
        m.config().cpc(), "the model file carries CPC's settings; embed reloads with them");
    assertEquals(5, m.state().queueFill(), "12 sentences went through a queue of 5");
    assertTrue(m.state().networks().containsKey("sequenceWindows"), "the windows are saved");
    Path out = dir.resolve("cpc.jsonl");
    assertEquals(0, run("embed", "--model", model.toString(), "--sentences", text.toString(),
        "--out", out.toString()), err.toString());
    assertEquals(6, Files.readAllLines(out).size());
  }

  @Test
  void invalidSettingExitsWithOneAndNamesIt(@TempDir Path dir) {
    int code = run("train", "--images", SUBSET, "--limit", "8", "--temperature", "-1",
        "--model-out", dir.resolve("m.cfm").toString());
    assertEquals(1, code);
    assertTrue(err.toString().contains("temperature must be in [0.001, 10.0], got -1.0"),
        err.toString());
  }

  @Test
  void trainWithReplayTakesUpdatesPerBatchStepsAndSavesTheBuffer(@TempDir Path dir)
      throws Exception {
    Path model = dir.resolve("replay.cfm");
    assertEquals(0, run("train", "--images", SUBSET, "--limit", "40", "--passes", "1",
        "--batch-size", "16", "--width", "4", "--head-hidden", "16", "--dim", "8",
        "--queue-size", "24", "--updates-per-batch", "3", "--replay-capacity", "20",
        "--replay-policy", "MIN_REDUNDANCY", "--model-out", model.toString()), err.toString());
    ModelFile.Model m = ModelFile.read(model);
    // micro-batches of 16, 16 and 8 records: 3 + 3 updates, then the last one's update credit,
    // 3 x 8 / 16 = 1.5, gives one update of 16 and carries the half
    assertEquals(7, m.state().step());
    assertEquals(8, m.state().replay().updateCredit());
    assertEquals(20, m.state().replay().buffer().size());
    assertEquals(40, m.state().replay().buffer().offered());
    assertEquals(3, m.config().replay().updatesPerBatch(), "the model file keeps the settings");
  }

  @Test
  void invalidReplaySettingExitsWithOneAndNamesIt(@TempDir Path dir) {
    int code = run("train", "--images", SUBSET, "--limit", "8", "--updates-per-batch", "0",
        "--model-out", dir.resolve("m.cfm").toString());
    assertEquals(1, code);
    assertTrue(err.toString().contains("replay.updatesPerBatch must be in 1..64, got 0"),
        err.toString());
  }

  @Test
  void missingModelFileIsAClearError(@TempDir Path dir) {
    int code = run("embed", "--model", dir.resolve("none.cfm").toString(), "--images", SUBSET,
        "--out", dir.resolve("e.jsonl").toString());
    assertEquals(1, code);
    assertTrue(err.toString().contains("does not exist"), err.toString());
  }

  @Test
  void trainThenEmbedSentencesWritesOneUnitVectorPerUsableLine(@TempDir Path dir)
      throws Exception {
    Path text = dir.resolve("s.txt");
    Files.writeString(text, "the cat sat on the mat\nA dog barked.\n\nrain fell all night\n"
        + "she sold sea shells\nthe market rose today \uD83D\uDCC8\n");
    Path model = dir.resolve("s.cfm");
    assertEquals(0, run("train", "--sentences", text.toString(), "--passes", "3",
        "--batch-size", "4", "--width", "8", "--buckets", "256", "--head-hidden", "16",
        "--dim", "8", "--model-out", model.toString()), err.toString());
    ModelFile.SentenceModel m = ModelFile.readSentenceModel(model);
    assertEquals(4, m.state().step()); // 5 usable lines (the empty one refused) x 3 passes / 4
    assertEquals(0, m.config().queueSize()); // SimCSE by default: in-batch negatives only

    Path out = dir.resolve("s.jsonl");
    assertEquals(0, run("embed", "--model", model.toString(), "--sentences", text.toString(),
        "--out", out.toString()), err.toString());
    List<String> lines = Files.readAllLines(out);
    assertEquals(5, lines.size());
    assertTrue(lines.get(2).startsWith("{\"id\": 3, \"vector\": ["), lines.get(2));
    String first = lines.get(0);
    String[] values = first.substring(first.indexOf('[') + 1, first.indexOf(']')).split(", ");
    assertEquals(8, values.length);
    double norm = 0;
    for (String v : values) {
      norm += Double.parseDouble(v) * Double.parseDouble(v);
    }
    assertEquals(1.0, norm, 1e-4);
  }

  @Test
  void trainThenEmbedWritesOneUnitVectorPerImage(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("tiny.cfm");
    assertEquals(0, run("train", "--images", SUBSET, "--limit", "40", "--passes", "2",
        "--batch-size", "16", "--width", "4", "--head-hidden", "16", "--dim", "8",
        "--queue-size", "24", "--model-out", model.toString()), err.toString());
    ModelFile.Model m = ModelFile.read(model);
    // 80 samples in batches of 16, each the default ReplayConfig.IMAGES' 8 gradient steps
    assertEquals(5 * ReplayConfig.IMAGES.updatesPerBatch(), m.state().step());
    assertEquals("80", m.provenance().get("samples"));

    Path out = dir.resolve("emb.jsonl");
    assertEquals(0, run("embed", "--model", model.toString(), "--images", SUBSET, "--limit", "12",
        "--batch-size", "5", "--out", out.toString()), err.toString());
    List<String> lines = Files.readAllLines(out);
    assertEquals(12, lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      assertTrue(line.startsWith("{\"id\": " + i + ", \"vector\": ["), line);
      String[] values = line.substring(line.indexOf('[') + 1, line.indexOf(']')).split(", ");
      assertEquals(32, values.length); // representation of the default GEMM_MLP: 8 x width
      double norm = 0;
      for (String v : values) {
        norm += Double.parseDouble(v) * Double.parseDouble(v);
      }
      assertEquals(1.0, Math.sqrt(norm), 1e-4);
    }
  }

  @Test
  @Tag("slow")
  void demoStreamsImagesAndSentencesThroughKafkaAndFlinkAndSummarisesWhatCameOut(
      @TempDir Path dir) throws Exception {
    Path text = dir.resolve("sentences.txt");
    Files.writeString(text, "The quick brown fox jumps over the lazy dog.\n"
        + "A stitch in time saves nine.\n"
        + "   \n"
        + "Rain is expected in the north by evening.\n"
        + "She sold the old piano to a neighbour.\n");
    StringWriter out = new StringWriter();
    int code = Contraflow.run(new PrintWriter(out, true), new PrintWriter(err, true), "demo",
        "--images", SUBSET, "--limit", "120", "--sentences", text.toString(),
        "--work-dir", dir.toString(),
        "--set", "learner.batchSize=16", "--set", "learner.encoder.baseWidth=4",
        "--set", "learner.encoder.projectionHidden=16", "--set", "learner.encoder.projectionDim=8",
        "--set", "learner.queueSize=24", "--set", "job.checkpointInterval=300ms",
        "--set", "learner.replay.capacity=0", "--set", "learner.replay.updatesPerBatch=1",
        "--set", "sentenceLearner.batchSize=2", "--set", "sentenceLearner.tokenizer.buckets=512",
        "--set", "sentenceLearner.encoder.width=8",
        "--set", "sentenceLearner.encoder.projectionHidden=16",
        "--set", "sentenceLearner.encoder.projectionDim=8", "--set", "sentenceLearner.queueSize=4",
        "--set", "publish.everySteps=2");
    String summary = out.toString();
    assertEquals(0, code, err.toString());
    assertTrue(summary.contains("records in         125 (120 images, 5 sentences)"), summary);
    // each micro-batch is embedded by the model before its own update (issue 20), so the
    // embeddings' versions end one below the last checkpoint's (v8)
    assertTrue(summary.contains("embeddings out     120 (model versions 1..7)"), summary);
    assertTrue(summary.contains("sentence embeddings 4 (model demo-text, versions 1..1)"),
        summary);
    assertTrue(summary.contains("dead letters       1" + System.lineSeparator()
        + "  contraflow.sentences offset 2: sentence line-2: empty text"), summary);
    assertTrue(summary.contains("checkpoints        5"), summary);
    for (String row : List.of("raw pixels", "published embeddings", "untrained encoder",
        "last checkpoint (v8) re-embedded")) {
      assertTrue(summary.matches("(?s).*\\n  " + Pattern.quote(row)
          + " +0\\.\\d{4}.*"), row + " scored:\n" + summary);
    }
    assertTrue(summary.matches("(?s).*\\nthe last checkpoint is (above|not above) raw pixels"
        + " \\([+-]0\\.\\d{4}\\).*"), "the verdict against raw pixels:\n" + summary);
  }

  @Test
  void serveRejectsABadOptionBeforeStartingAnything() {
    assertEquals(1, run("serve", "--bootstrap", "localhost:9092", "--port", "70000"));
    assertTrue(err.toString().contains("--port = 70000 is invalid: use 1..65535, or 0 for a free "
        + "port"), err.toString());
  }

  @Test
  void serveRejectsAKeystoreWithoutItsPasswordFileBeforeStartingAnything(@TempDir Path dir)
      throws Exception {
    Path keystore = java.nio.file.Files.writeString(dir.resolve("serve.p12"), "x");
    assertEquals(1, run("serve", "--bootstrap", "localhost:9092", "--tls-keystore",
        keystore.toString()));
    assertTrue(err.toString().contains("give --tls-keystore and --tls-password-file together"),
        err.toString());
  }

  @Test
  void learnRejectsABadSettingBeforeStartingAnything() {
    assertEquals(1, run("learn", "--set", "learner.batchSize=0"));
    assertTrue(err.toString().contains("learner: batchSize must be in 1..65536, got 0"),
        err.toString());
  }

  @Test
  void evalScoresACheckpointAndWritesBothReports(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("tiny.cfm");
    assertEquals(0, run("train", "--images", SUBSET, "--limit", "64", "--passes", "1",
        "--encoder", "MLP", "--batch-size", "16", "--width", "4", "--head-hidden", "16",
        "--dim", "8", "--queue-size", "24", "--model-out", model.toString()), err.toString());
    StringWriter out = new StringWriter();
    int code = Contraflow.run(new PrintWriter(out, true), new PrintWriter(err, true), "eval",
        "--images", SUBSET, "--limit", "200", "--checkpoint", model.toString(),
        "--out", dir.resolve("report").toString());
    assertEquals(0, code, err.toString());
    // 4 micro-batches of 16, each the default ReplayConfig.IMAGES' 8 gradient steps
    assertTrue(Files.readString(dir.resolve("report/report.json")).contains("\"version\" : 32"));
    assertTrue(Files.readString(dir.resolve("report/report.html")).contains("<svg"));
  }

  @Test
  void evalWithoutLabelsSaysSo(@TempDir Path dir) throws Exception {
    Path unlabelled = dir.resolve("images.idx.gz");
    Files.copy(Path.of(SUBSET, "train-images-idx3-ubyte.gz"), unlabelled);
    assertEquals(1, run("eval", "--images", unlabelled.toString(), "--checkpoint", "x.cfm"));
    assertTrue(err.toString().contains("no labels next to"), err.toString());
  }

  @Test
  @Tag("slow")
  void evalReadsALabelledStreamFromKafka(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("tiny.cfm");
    assertEquals(0, run("train", "--images", SUBSET, "--limit", "32", "--passes", "1",
        "--encoder", "MLP", "--batch-size", "16", "--width", "4", "--head-hidden", "16",
        "--dim", "8", "--queue-size", "24", "--model-out", model.toString()), err.toString());
    List<Image> images = IdxReader.readImages(Path.of(SUBSET, "train-images-idx3-ubyte.gz"), 80);
    int[] labels = IdxReader.readLabels(Path.of(SUBSET, "train-labels-idx1-ubyte.gz"));
    RecordCodec<ImageRecord> codec = RecordCodec.singleObject(ImageRecord.class);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir);
        RecordProducer producer = new RecordProducer(kafka.bootstrapServers(), Map.of())) {
      kafka.createTopics(List.of("labelled"), 1);
      for (Image image : images) {
        ImageRecord r = ImageRecords.raw(image, null, "test", Instant.EPOCH);
        if (!image.id().equals("7")) { // one record without a label is skipped
          r.setAttributes(Map.of("label", Integer.toString(labels[Integer.parseInt(image.id())])));
        }
        producer.sendNow("labelled", null, codec.encode(r));
      }
      StringWriter out = new StringWriter();
      int code = Contraflow.run(new PrintWriter(out, true), new PrintWriter(err, true), "eval",
          "--images-topic", "labelled", "--bootstrap", kafka.bootstrapServers(),
          "--checkpoint", model.toString(), "--out", dir.resolve("report").toString());
      assertEquals(0, code, err.toString());
      assertTrue(out.toString().contains("16 queries against a bank of 63"), out.toString());
    }
  }
}
