package dev.contraflow.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.io.image.IdxReader;
import dev.contraflow.io.image.Image;
import dev.contraflow.learn.Batch;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.Method;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayEvaluationTest {

  private static ReplayEvaluation.Dataset data;
  private static List<ReplayEvaluation.Checkpoint> checkpoints;

  @BeforeAll
  static void trainTwoCheckpoints() throws Exception {
    Path dir = Path.of(ReplayEvaluationTest.class.getResource("/fashion-mnist-subset").toURI());
    List<Image> images = IdxReader.readImages(dir.resolve("train-images-idx3-ubyte.gz"), 300);
    int[] labels = Arrays.copyOf(IdxReader.readLabels(dir.resolve(
        "train-labels-idx1-ubyte.gz")), 300);
    data = new ReplayEvaluation.Dataset(images.subList(0, 240), Arrays.copyOf(labels, 240),
        images.subList(240, 300), Arrays.copyOfRange(labels, 240, 300));
    LearnerConfig config = new LearnerConfig(Method.MOCO,
        new EncoderConfig(EncoderKind.MLP, 1, 28, 28, 4, 1, 16, 8, 3L),
        new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.05, 0.9, 1e-4), 32, 0.2,
        MomentumUpdate.constant(0.9), 0.3, 16, 5L);
    Learner<Image> learner = Learner.images(config);
    LearnerState first = learner.initialState();
    LearnerState s = first;
    for (int i = 0; i < 240; i += 16) {
      s = learner.step(s, Batch.trainingOnly(images.subList(i, i + 16))).state();
    }
    checkpoints = List.of(new ReplayEvaluation.Checkpoint("v0", 0, config, first),
        new ReplayEvaluation.Checkpoint("v15", 15, config, s));
  }

  private static ReplayEvaluation.Result evaluate() {
    return new ReplayEvaluation(new PrintStream(PrintStream.nullOutputStream()))
        .evaluate(data, checkpoints);
  }

  @Test
  void sameInputsGiveTheSameNumbers() {
    assertEquals(evaluate().checkpoints(), evaluate().checkpoints());
  }

  @Test
  void everyCheckpointIsScoredInOrderWithDriftFromTheOneBefore() {
    ReplayEvaluation.Result r = evaluate();
    assertEquals(List.of(0L, 15L), r.checkpoints().stream()
        .map(ReplayEvaluation.Scores::version).toList());
    assertTrue(Double.isNaN(r.checkpoints().get(0).drift()), "nothing before the first");
    double drift = r.checkpoints().get(1).drift();
    assertTrue(drift > 0 && drift < 1, "15 steps move the embeddings a little: " + drift);
    for (ReplayEvaluation.Scores s : r.checkpoints()) {
      assertTrue(s.weightedKnn() > 0.3 && s.weightedKnn() <= 1, "10 classes, kNN " + s);
      assertTrue(s.alignment() >= 0 && s.alignment() <= 4, "unit vectors: " + s);
      assertTrue(s.uniformity() <= 0, "log of a mean of exp(-t d^2) <= 0: " + s);
    }
    assertTrue(r.rawPixelsKnn() > 0.5, "raw pixels separate Fashion-MNIST classes");
    assertEquals(60, r.projection().length);
    assertEquals(60, r.projectionLabels().length);
  }

  @Test
  void reportsCarryEveryCheckpoint(@TempDir Path dir) throws Exception {
    ReplayEvaluation.Result r = evaluate();
    EvalReport.writeJson(r, dir.resolve("r.json"));
    EvalReport.writeHtml(r, dir.resolve("r.html"));
    JsonNode json = new ObjectMapper().readTree(dir.resolve("r.json").toFile());
    assertEquals(2, json.get("checkpoints").size());
    assertEquals(15, json.get("checkpoints").get(1).get("version").asLong());
    String html = Files.readString(dir.resolve("r.html"));
    assertEquals(7, html.split("<svg", -1).length - 1, "six metric plots and the projection");
    assertTrue(html.contains("<td>v15</td><td>15</td>"), "a table row per checkpoint");
    assertTrue(!html.contains("<script"), "self-contained, no scripts");
  }
}
