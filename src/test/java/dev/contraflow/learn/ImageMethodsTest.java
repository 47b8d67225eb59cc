package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.contrast.CmcLoss;
import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.io.image.Image;
import dev.contraflow.learn.method.ImageMethodStep;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every image method under the learner's contracts: determinism, restore, model files, learning. */
class ImageMethodsTest {

  /**
   * TinyImages' learner with the method's own temperature; K = 20 is InstDisc's bank bound. BYOL
   * gets its paper's target momentum, 0.99 (at TinyImages' 0.9 the target follows the online
   * network too closely and the tiny net collapses). DINO keeps TinyImages' 0.9 (at its paper's
   * 0.996 the teacher would hardly move in a test's 40 steps), with a head of 64 outputs and 2
   * local crops.
   */
  static LearnerConfig config(Method method) {
    LearnerConfig c = TinyImages.config().withMethod(method)
        .withTemperature(method.defaultTemperature());
    return switch (method) {
      case BYOL -> c.withMomentum(MomentumUpdate.constant(0.99));
      case DINO -> c.withDino(new LearnerConfig.Dino(64, 2, 0.04, 0.04, 0, 0.9));
      default -> c;
    };
  }

  private static LearnerState run(Learner<Image> learner, LearnerState state, List<Batch<Image>> batches) {
    for (Batch<Image> b : batches) {
      state = learner.step(state, b).state();
    }
    return state;
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"MOCO", "SIMCLR", "MOCO_V3", "BYOL", "SIMSIAM",
      "INSTDISC", "SWAV", "DINO", "CMC"})
  void sameStateAndBatchGiveByteIdenticalStatesWhoeverSteps(Method method) {
    List<Batch<Image>> two = TinyImages.batches(TinyImages.images(12, 1), 6);
    // the third batch comes again: InstDisc trains on records it has seen
    List<Batch<Image>> batches = List.of(two.get(0), two.get(1), two.get(0));
    Learner<Image> learner = Learner.images(config(method));
    LearnerState s1 = run(learner, learner.initialState(), batches.subList(0, 2));
    byte[] once = LearnerStateCodec.toBytes(learner.step(s1, batches.get(2)).state());
    learner.step(learner.initialState(), batches.get(0)); // move the networks elsewhere
    byte[] again = LearnerStateCodec.toBytes(learner.step(s1, batches.get(2)).state());
    Learner<Image> other = Learner.images(config(method));
    byte[] elsewhere = LearnerStateCodec.toBytes(other.step(s1, batches.get(2)).state());
    assertArrayEquals(once, again);
    assertArrayEquals(once, elsewhere);
    assertFalse(Arrays.equals(s1.encoderParams(), learner.step(s1, batches.get(2)).state()
        .encoderParams()), "a step must train");
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"MOCO", "SIMCLR", "MOCO_V3", "BYOL", "SIMSIAM",
      "INSTDISC", "SWAV", "DINO", "CMC"})
  void restoredFromBytesMidStreamContinuesExactlyLikeAnUninterruptedRun(Method method)
      throws Exception {
    List<Batch<Image>> batches = TinyImages.batches(TinyImages.images(30, 2), 6);
    Learner<Image> uninterrupted = Learner.images(config(method));
    byte[] expected = LearnerStateCodec.toBytes(
        run(uninterrupted, uninterrupted.initialState(), batches));

    Learner<Image> first = Learner.images(config(method));
    byte[] half = LearnerStateCodec.toBytes(
        run(first, first.initialState(), batches.subList(0, 3)));
    Learner<Image> resumed = Learner.images(config(method)); // a fresh process, as after a failure
    LearnerState restored = LearnerStateCodec.fromBytes(half);
    assertArrayEquals(half, LearnerStateCodec.toBytes(restored));
    assertArrayEquals(expected, LearnerStateCodec.toBytes(
        run(resumed, restored, batches.subList(3, batches.size()))));
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"SIMCLR", "MOCO_V3", "BYOL", "SIMSIAM", "INSTDISC",
      "SWAV", "DINO", "CMC"})
  void modelFileKeepsTheMethodAndGivesTheSameEmbeddings(Method method, @TempDir Path dir)
      throws Exception {
    Learner<Image> learner = Learner.images(config(method));
    List<Image> images = TinyImages.images(6, 9);
    LearnerState s = learner.step(learner.initialState(), Batch.of(images)).state();
    Path file = dir.resolve("m.cfm");
    ModelFile.write(file, new ModelFile.Model(config(method), s, Map.of("data", "tiny")));
    ModelFile.Model back = ModelFile.read(file);
    assertEquals(method, back.config().method());
    assertEquals(config(method), back.config());
    assertArrayEquals(LearnerStateCodec.toBytes(s), LearnerStateCodec.toBytes(back.state()));
    float[][] before = learner.embedAll(s, images);
    float[][] after = Learner.images(back.config()).embedAll(back.state(), images);
    for (int i = 0; i < images.size(); i++) {
      assertArrayEquals(before[i], after[i], "embedding " + i);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"SIMCLR", "MOCO_V3", "BYOL", "SIMSIAM", "INSTDISC",
      "SWAV", "DINO", "CMC"})
  void embeddingsAreUnitRepresentationsTaggedWithTheNewVersion(Method method) {
    Learner<Image> learner = Learner.images(config(method));
    StepResult r = learner.step(learner.initialState(), Batch.of(TinyImages.images(5, 5)));
    assertEquals(5, r.embeddings().size());
    for (Embedding e : r.embeddings()) {
      assertEquals(1L, e.modelVersion());
      assertEquals(config(method).encoder().representationDim(), e.vector().length);
      double norm = 0;
      for (float v : e.vector()) {
        norm += v * v;
      }
      assertEquals(1.0, Math.sqrt(norm), 1e-5);
    }
    StepMetrics m = r.metrics();
    assertTrue(Double.isFinite(m.loss()) && Double.isFinite(m.embeddingStd()), m.toString());
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"MOCO", "SIMCLR", "MOCO_V3", "BYOL", "SIMSIAM",
      "INSTDISC", "SWAV", "DINO", "CMC"})
  void onlyMethodsWithATargetNetworkKeepMomentumParameters(Method method) {
    LearnerState s = Learner.images(config(method)).initialState();
    List<String> blocks = new java.util.ArrayList<>(List.of(LearnerState.ONLINE));
    if (method.hasMomentumEncoder()) {
      blocks.add(LearnerState.MOMENTUM);
    }
    if (method == Method.DINO) {
      blocks.add(LearnerState.CENTER);
    }
    assertEquals(blocks, List.copyOf(s.networks().keySet()));
    if (method.hasMomentumEncoder()) {
      assertArrayEquals(s.encoderParams(), s.network(LearnerState.MOMENTUM).params(),
          "the target starts as a copy");
      assertEquals(0, s.network(LearnerState.MOMENTUM).updaterState().length,
          "no optimiser trains the target");
    }
    if (method.usesQueue()) {
      assertEquals(20, s.queue().capacity());
    } else {
      assertNull(s.queue(), "no queue or bank for a method without one");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"SIMCLR", "MOCO_V3", "INSTDISC", "SWAV"})
  void methodsWithNegativesOrPrototypesLowerTheirLossOnARepeatedTinySet(Method method) {
    assertLossFallsOnARepeatedTinySet(config(method));
  }

  /** 40 steps over two batches of 6 tiny images: the mean loss of steps 36-39 is below 2-5's. */
  static void assertLossFallsOnARepeatedTinySet(LearnerConfig config) {
    Learner<Image> learner = Learner.images(config);
    List<Batch<Image>> batches = TinyImages.batches(TinyImages.images(12, 3), 6);
    LearnerState s = learner.initialState();
    double[] losses = new double[40];
    for (int i = 0; i < losses.length; i++) {
      StepResult r = learner.step(s, batches.get(i % 2));
      s = r.state();
      losses[i] = r.metrics().loss();
    }
    double early = (losses[2] + losses[3] + losses[4] + losses[5]) / 4;
    double late = (losses[36] + losses[37] + losses[38] + losses[39]) / 4;
    System.out.printf("%s/%s loss %.4f -> %.4f%n", config.method(), config.encoder().kind(),
        early, late);
    assertTrue(late < early, config.method() + ": loss " + early + " -> " + late);
  }

  /**
   * CMC against queues of K = 12 keys per view: from the third step on, each of the two batches
   * meets the other's keys as its negatives (its own are excluded by id), so the loss compares
   * like with like, and it must fall. (With TinyImages' K = 20 the queues keep filling through
   * the early steps, and a fuller queue raises the loss on its own, as MoCo's does.) The default
   * crops only the geometric view: these images tell instances apart only by where their square
   * is, which independent crops of all three views hide (with {@code cropEveryView} the loss
   * stays level, 2.34 -> 2.43).
   */
  @Test
  void cmcLowersItsLossOnARepeatedTinySetOnceItsQueuesAreFull() {
    LearnerConfig c = config(Method.CMC);
    assertLossFallsOnARepeatedTinySet(new LearnerConfig(c.method(), c.encoder(), c.optimizer(),
        12, c.temperature(), c.momentum(), c.cropScaleMin(), c.batchSize(), c.seed()));
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"BYOL", "SIMSIAM"})
  void predictionMethodsLowerTheirLossWithoutCollapsing(Method method) {
    Learner<Image> learner = Learner.images(config(method));
    List<Batch<Image>> batches = TinyImages.batches(TinyImages.images(12, 3), 6);
    LearnerState s = learner.initialState();
    StepMetrics first = null;
    StepMetrics last = null;
    for (int i = 0; i < 40; i++) {
      StepResult r = learner.step(s, batches.get(i % 2));
      s = r.state();
      first = first == null ? r.metrics() : first;
      last = r.metrics();
    }
    double healthy = 1 / Math.sqrt(config(method).encoder().projectionDim());
    System.out.printf("%s loss %.4f -> %.4f, std %.4f -> %.4f (healthy %.4f)%n", method,
        first.loss(), last.loss(), first.embeddingStd(), last.embeddingStd(), healthy);
    assertTrue(last.loss() < first.loss(), method + ": loss " + first.loss() + " -> "
        + last.loss());
    // the untrained tiny net maps these near-identical images close together already (std about
    // 0.38 / sqrt(d)); collapse would drive it towards 0
    assertTrue(last.embeddingStd() > 0.6 * first.embeddingStd(), method + ": std "
        + first.embeddingStd() + " -> " + last.embeddingStd() + ", collapsing");
  }

  @Test
  void swavSettingsShapeThePrototypesAndTheViewsAndSurviveTheModelFile(@TempDir Path dir)
      throws Exception {
    LearnerConfig few = config(Method.SWAV).withSwav(new LearnerConfig.Swav(7, 0));
    LearnerConfig many = config(Method.SWAV).withSwav(new LearnerConfig.Swav(9, 3));
    Learner<Image> a = Learner.images(few);
    Learner<Image> b = Learner.images(many);
    assertEquals(2, ImageMethodStep.of(few).viewsPerRecord(),
        "0 local crops: the two global views only");
    assertEquals(5, ImageMethodStep.of(many).viewsPerRecord());
    int d = few.encoder().projectionDim();
    assertEquals(2 * d, b.initialState().encoderParams().length
        - a.initialState().encoderParams().length, "one d-vector per prototype, no bias");
    List<Image> images = TinyImages.images(6, 2);
    LearnerState s = b.step(b.initialState(), Batch.of(images)).state();
    Path file = dir.resolve("swav.cfm");
    ModelFile.write(file, new ModelFile.Model(many, s, Map.of()));
    assertEquals(new LearnerConfig.Swav(9, 3), ModelFile.read(file).config().swav());
  }

  @Test
  void dinoSettingsShapeTheHeadAndTheViewsAndSurviveTheModelFile(@TempDir Path dir)
      throws Exception {
    LearnerConfig small = config(Method.DINO).withDino(new LearnerConfig.Dino(10, 0, 0.04, 0.04,
        0, 0.9));
    LearnerConfig large = config(Method.DINO).withDino(new LearnerConfig.Dino(13, 3, 0.05, 0.03,
        100, 0.8));
    assertEquals(2, ImageMethodStep.of(small).viewsPerRecord(), "0 local crops: two views only");
    assertEquals(5, ImageMethodStep.of(large).viewsPerRecord());
    LearnerState a = Learner.images(small).initialState();
    LearnerState b = Learner.images(large).initialState();
    int d = small.encoder().projectionDim();
    assertEquals(3 * d, b.encoderParams().length - a.encoderParams().length,
        "one d-vector per output of the last layer, no bias");
    assertArrayEquals(new float[13], b.network(LearnerState.CENTER).params(), "C starts at 0");
    Learner<Image> learner = Learner.images(large);
    LearnerState s = learner.step(b, Batch.of(TinyImages.images(6, 2))).state();
    Path file = dir.resolve("dino.cfm");
    ModelFile.write(file, new ModelFile.Model(large, s, Map.of()));
    assertEquals(large, ModelFile.read(file).config());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LearnerConfig.Dino(1024, 4, 0.04, 0.04, 0, 1.0));
    assertTrue(e.getMessage().contains("centerMomentum"), e.getMessage());
  }

  @Test
  void cmcSettingsShapeTheViewsAndTheQueuesAndSurviveTheModelFile(@TempDir Path dir)
      throws Exception {
    LearnerConfig two = config(Method.CMC).withCmc(
        new LearnerConfig.Cmc(2, CmcLoss.Graph.CORE, true));
    LearnerConfig three = config(Method.CMC);
    assertEquals(2, ImageMethodStep.of(two).viewsPerRecord());
    assertEquals(3, ImageMethodStep.of(three).viewsPerRecord(), "the default: three families");
    int d = three.encoder().projectionDim();
    assertEquals(2 * d, Learner.images(two).initialState().queue().dim(),
        "one queue per view, side by side");
    Learner<Image> learner = Learner.images(three);
    LearnerState s = learner.step(learner.initialState(), Batch.of(TinyImages.images(6, 2)))
        .state();
    assertEquals(6, s.queue().fill());
    float[] entry = s.queue().key(0);
    assertEquals(3 * d, entry.length);
    for (int v = 0; v < 3; v++) {
      double norm = 0;
      for (int j = v * d; j < (v + 1) * d; j++) {
        norm += entry[j] * entry[j];
      }
      assertEquals(1.0, Math.sqrt(norm), 1e-5, "view " + v + "'s key is a unit vector");
    }
    Path file = dir.resolve("cmc.cfm");
    ModelFile.write(file, new ModelFile.Model(two, Learner.images(two).initialState(), Map.of()));
    assertEquals(two, ModelFile.read(file).config());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LearnerConfig.Cmc(4, CmcLoss.Graph.FULL, true));
    assertTrue(e.getMessage().contains("CMC views must be in 2..3, got 4"), e.getMessage());
  }

  /**
   * With the teacher frozen (m = 1) and the centre all but fixed (its momentum 0.999) the targets
   * stand still, so the loss measures how well the student predicts them: it must fall. (With the
   * centre's 0.9 it rises even so, 2.49 -> 3.54: the centre takes away what the tiny images have in
   * common and the targets lose their sharpness. With a moving teacher, at any m from 0.9 to
   * 0.996, the projections of these near-identical images collapse - std 0.13 at step 0, 0.03 by
   * step 8, 0.01 by step 24 - so this set is no test of DINO's learning; Fashion-MNIST in the
   * README is.)
   */
  @Test
  void dinoStudentLearnsToPredictAFrozenTeacher() {
    assertLossFallsOnARepeatedTinySet(config(Method.DINO).withMomentum(
        MomentumUpdate.constant(1.0)).withDino(new LearnerConfig.Dino(64, 2, 0.04, 0.04, 0,
        0.999)));
  }

  @Test
  void dinoTeacherTemperatureWarmsUpLinearlyThenStays() {
    LearnerConfig.Dino d = new LearnerConfig.Dino(1024, 4, 0.07, 0.04, 30, 0.9);
    assertEquals(0.04, d.teacherTemperatureAt(0), 1e-12);
    assertEquals(0.055, d.teacherTemperatureAt(15), 1e-12);
    assertEquals(0.07, d.teacherTemperatureAt(30), 1e-12);
    assertEquals(0.07, d.teacherTemperatureAt(1_000_000), 1e-12);
    assertEquals(0.04, LearnerConfig.Dino.DEFAULTS.teacherTemperatureAt(0), 1e-12,
        "no warm-up by default");
  }

  @Test
  void dinoCentreFollowsTheTeacherAndTheTeacherEntropyIsReported() {
    Learner<Image> learner = Learner.images(config(Method.DINO));
    StepResult r = learner.step(learner.initialState(), Batch.of(TinyImages.images(6, 3)));
    float[] c = r.state().network(LearnerState.CENTER).params();
    double norm = 0;
    for (float v : c) {
      norm += v * v;
    }
    assertTrue(norm > 0, "C moved towards the teacher's mean output");
    double entropy = r.metrics().methodMetrics().get("teacherEntropy");
    assertTrue(entropy > 0 && entropy < Math.log(64), "teacher entropy " + entropy
        + " must lie between one-hot (0) and uniform (log 64)");
  }

  @Test
  void instDiscSettingsAreCheckedAndKeptInTheModelFile(@TempDir Path dir) throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LearnerConfig.InstDisc(4096, 1.0));
    assertTrue(e.getMessage().contains("InstDisc uses 0.5"), e.getMessage());
    LearnerConfig c = config(Method.INSTDISC).withInstDisc(new LearnerConfig.InstDisc(3, 0.25));
    Learner<Image> learner = Learner.images(c);
    LearnerState s = learner.step(learner.initialState(), Batch.of(TinyImages.images(6, 4)))
        .state();
    Path file = dir.resolve("instdisc.cfm");
    ModelFile.write(file, new ModelFile.Model(c, s, Map.of()));
    assertEquals(c, ModelFile.read(file).config());
  }

  @Test
  void instDiscBankHoldsOneFeaturePerIdUpToItsBound() {
    Learner<Image> learner = Learner.images(config(Method.INSTDISC)); // bank of 20
    List<Image> images = TinyImages.images(23, 4);
    LearnerState s = learner.step(learner.initialState(), Batch.of(images.subList(0, 6))).state();
    StepResult again = learner.step(s, Batch.of(images.subList(0, 6)));
    assertEquals(6, again.metrics().queueFill(), "seen again: refreshed, not added");
    s = run(learner, again.state(), TinyImages.batches(images.subList(6, 23), 6));
    assertEquals(20, s.queue().fill(), "23 ids, bounded at 20: the 3 earliest evicted");
    List<Long> held = Arrays.stream(s.queue().idHashes()).boxed().toList();
    assertFalse(held.contains(dev.contraflow.contrast.NegativeQueue.idHash("img-0")));
    assertTrue(held.contains(dev.contraflow.contrast.NegativeQueue.idHash("img-3")));
  }

  @Test
  void instDiscLearnsOnlyFromRecordsItHasSeenBefore() {
    Learner<Image> learner = Learner.images(config(Method.INSTDISC));
    List<Image> images = TinyImages.images(6, 6);
    LearnerState start = learner.initialState();
    StepResult first = learner.step(start, Batch.of(images));
    assertTrue(Double.isNaN(first.metrics().positiveSimilarity()),
        "first sight: no positive, no loss term");
    assertArrayEquals(start.encoderParams(), first.state().encoderParams(),
        "a batch of first sights only fills the bank");
    assertEquals(6, first.metrics().queueFill());

    StepResult second = learner.step(first.state(), Batch.of(images));
    double pos = second.metrics().positiveSimilarity();
    assertTrue(pos > 0 && pos < 0.9999,
        "seen again: the positive is the bank's entry from another view, got " + pos);
    assertFalse(Arrays.equals(first.state().encoderParams(), second.state().encoderParams()),
        "records seen again move the encoder");

    List<Image> mixed = new java.util.ArrayList<>(images.subList(0, 3));
    mixed.addAll(TinyImages.images(9, 6).subList(6, 9)); // 3 seen, 3 new ids
    StepResult third = learner.step(second.state(), Batch.of(mixed));
    assertFalse(Arrays.equals(second.state().encoderParams(), third.state().encoderParams()),
        "the seen half of a mixed batch trains");
    assertEquals(9, third.metrics().queueFill(), "the new half is stored");
  }

  @Test
  void aStateOfAMethodWithoutMomentumEncoderIsRefusedByOneWithIt() {
    LearnerState simclr = Learner.images(config(Method.SIMCLR)).initialState();
    Learner<Image> moco = Learner.images(config(Method.MOCO));
    assertThrows(IllegalArgumentException.class,
        () -> moco.step(simclr, Batch.of(TinyImages.images(2, 1))));
    LearnerState mocoState = moco.initialState();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Learner.images(config(Method.SIMCLR)).step(mocoState,
            Batch.of(TinyImages.images(2, 1))));
    assertTrue(e.getMessage().contains("no momentum encoder"), e.getMessage());
  }

  @Test
  void methodsWithAPredictorNeedAHiddenLayerInTheHead() {
    EncoderConfig e = config(Method.INSTDISC).encoder();
    LearnerConfig linear = config(Method.INSTDISC).withEncoder(new EncoderConfig(e.kind(),
        e.channels(), e.height(), e.width(), e.baseWidth(), e.blocksPerStage(), 0,
        e.projectionDim(), e.seed()));
    Learner.images(linear); // InstDisc's own head: a linear fc
    IllegalArgumentException byol = assertThrows(IllegalArgumentException.class,
        () -> linear.withMethod(Method.BYOL));
    assertTrue(byol.getMessage().contains("projectionHidden 0"), byol.getMessage());
  }

  @Test
  void sentenceMethodsAreRefusedForImagesWithTheImageMethods() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> config(Method.SIMCSE));
    assertTrue(e.getMessage().contains("SIMCLR, MOCO_V3, BYOL, SIMSIAM, INSTDISC, SWAV, DINO or CMC"),
        e.getMessage());
  }
}
