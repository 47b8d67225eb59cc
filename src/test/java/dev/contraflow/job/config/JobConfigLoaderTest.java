package dev.contraflow.job.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.contrast.CmcLoss;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.encoder.SentencePooling;
import dev.contraflow.encoder.TextEncoderKind;
import dev.contraflow.learn.CpcConfig;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.Method;
import dev.contraflow.learn.SentenceLearnerConfig;
import dev.contraflow.learn.method.CpcStep;
import dev.contraflow.learn.replay.ReplayConfig;
import dev.contraflow.learn.replay.ReplayPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigLoaderTest {

  @TempDir
  Path dir;

  @Test
  void defaultsAreCmcOnMocoV2sSettingsAndLoadWithoutAFile() {
    JobConfig c = JobConfigLoader.defaults(List.of());
    assertEquals(Method.CMC, c.learner().method(), "measured: the most learnt in one pass");
    assertEquals(256, c.learner().batchSize());
    assertEquals(4096, c.learner().queueSize(), "MoCo's K per view, from queueSize: 0");
    assertEquals(65536, JobConfigLoader.defaults(List.of("learner.method=INSTDISC"))
        .learner().queueSize(), "InstDisc's bank");
    assertEquals(0.07, c.learner().temperature(), "CMC's paper value, from temperature: 0");
    assertEquals(0.2, JobConfigLoader.defaults(List.of("learner.method=MOCO")).learner()
        .temperature(), "MoCo v2's");
    assertEquals(0.5, JobConfigLoader.defaults(List.of("learner.method=SIMCLR")).learner()
        .temperature(), "each method's paper temperature unless set");
    assertEquals(0.3, JobConfigLoader.defaults(List.of("learner.method=SIMCLR",
        "learner.temperature=0.3")).learner().temperature());
    assertEquals(0.99, c.learner().momentum().momentum());
    assertEquals(0.06, c.learner().optimizer().learningRate(),
        "twice MoCo's 0.03: one pass of a stream, not 200 epochs");
    assertEquals(Duration.ofSeconds(2), c.job().batchTimeout());
    EncoderConfig encoder = EncoderConfig.defaults(1, 28, 28);
    assertEquals(EncoderKind.GEMM_MLP, encoder.kind());
    assertEquals(encoder.kind(), c.learner().encoder().kind());
    assertEquals(encoder.baseWidth(), c.learner().encoder().baseWidth(),
        "width 0: the encoder's default, EncoderConfig.defaults'");
    assertEquals(EncoderConfig.defaultWidth(EncoderKind.CNN), JobConfigLoader.defaults(
        List.of("learner.encoder.kind=CNN")).learner().encoder().baseWidth(),
        "each encoder kind its own default width");
    assertEquals(48, JobConfigLoader.defaults(List.of("learner.encoder.baseWidth=48")).learner()
        .encoder().baseWidth());
  }

  @Test
  void fileOverridesDefaultsAndSetOverridesTheFile() throws Exception {
    Path file = dir.resolve("job.yaml");
    Files.writeString(file, """
        kafka:
          bootstrapServers: "broker:9092"
        learner:
          batchSize: 64
          encoder:
            kind: MLP
        job:
          checkpointInterval: 30s
        """);
    JobConfig c = JobConfigLoader.load(file, List.of("learner.batchSize=32"));
    assertEquals("broker:9092", c.kafka().bootstrapServers());
    assertEquals(32, c.learner().batchSize(), "--set wins over the file");
    assertEquals(EncoderKind.MLP, c.learner().encoder().kind());
    assertEquals(Duration.ofSeconds(30), c.job().checkpointInterval());
    assertEquals("contraflow", c.kafka().groupId(), "untouched settings keep their defaults");
  }

  /**
   * A section given a value, as a file written for the flat learner settings before they bound
   * to the engine-free records does ({@code encoder: MLP}), says which keys the section has.
   */
  @Test
  void aValueWhereASectionBelongsNamesTheSectionsKeys() throws Exception {
    Path file = Files.writeString(dir.resolve("old.yaml"), "learner:\n  encoder: MLP\n");
    var e = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.load(file, List.of()));
    assertTrue(e.getMessage().startsWith("learner.encoder is a section (kind, channels, height,"),
        e.getMessage());
    assertTrue(e.getMessage().contains("learner.encoder.kind"), e.getMessage());
    var o = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("learner.optimizer=ADAM")));
    assertTrue(o.getMessage().contains("learner.optimizer.kind"), o.getMessage());
  }

  @Test
  void unknownSettingIsNamedWithWhereTheKnownOnesAre() {
    var e = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("learner.batchSzie=64")));
    assertTrue(e.getMessage().contains("learner.batchSzie"), e.getMessage());
    assertTrue(e.getMessage().contains("default-job.yaml"), e.getMessage());
  }

  @Test
  void badValueMessageNamesTheSettingTheValueAndTheFix() {
    var e = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("learner.batchSize=0")));
    assertEquals("learner: batchSize must be in 1..65536, got 0 (MoCo uses 256)",
        e.getMessage());
    var d = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("job.batchTimeout=soon")));
    assertTrue(d.getMessage().contains("job.batchTimeout") && d.getMessage().contains("soon"),
        d.getMessage());
    var t = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("learner.temperature=-1")));
    assertTrue(t.getMessage().contains("temperature must be in [0.001, 10.0], got -1.0"),
        t.getMessage());
  }

  @Test
  void cmcSettingsReachTheLearnerAndABadViewCountIsNamed() {
    var c = JobConfigLoader.defaults(List.of("learner.method=CMC", "learner.cmc.views=2",
        "learner.cmc.graph=CORE", "learner.cmc.cropEveryView=true")).learner();
    assertEquals(Method.CMC, c.method());
    assertEquals(new LearnerConfig.Cmc(2, CmcLoss.Graph.CORE, true), c.cmc());
    assertEquals(LearnerConfig.Cmc.DEFAULTS, JobConfigLoader.defaults(List.of()).learner().cmc(),
        "the bundled defaults");
    var e = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("learner.cmc.views=5")));
    assertTrue(e.getMessage().startsWith("learner.cmc") && e.getMessage().contains("2..3, got 5"),
        e.getMessage());
  }

  /**
   * CPC's K, R, dc, S and Q are job settings: a YAML file's {@code sentenceLearner.cpc} block
   * reaches the learner's state - g_ar's R x dz x dc kernel, its dc bias, K maps W_k of dc x dz
   * and a queue of Q past encodings - and out-of-range values are refused with the setting's
   * path.
   */
  @Test
  void cpcSettingsReachTheLearnersStateAndBadOnesAreNamed() throws Exception {
    Path yaml = dir.resolve("cpc.yaml");
    Files.writeString(yaml, String.join("\n", "sentenceLearner:", "  method: CPC",
        "  cpc:", "    predictionSteps: 5", "    contextKernel: 2", "    contextDim: 32",
        "    windowSequences: 16", "    queueSize: 64", ""));
    SentenceLearnerConfig sentences = JobConfigLoader.load(yaml, List.of()).sentenceLearner();
    assertEquals(new SentenceLearnerConfig.Cpc(5, 2, 32, 16, 64), sentences.cpc());
    CpcConfig cpc = CpcConfig.of(sentences);
    assertEquals(List.of(5, 2, 32, 16, 64), List.of(cpc.predictionSteps(), cpc.contextKernel(),
        cpc.contextDim(), cpc.windowSequences(), cpc.queueSize()));
    assertEquals(64, Learner.sentences(sentences).initialState().queue().capacity());
    int dz = sentences.encoder().projectionDim();
    assertEquals(2 * dz * 32 + 32 + 5 * 32 * dz, Learner.sentences(sentences).initialState()
        .network(CpcStep.CONTEXT).params().length, "R = 2, dc = 32, K = 5 maps W_k");
    assertEquals(SentenceLearnerConfig.Cpc.DEFAULTS,
        JobConfigLoader.defaults(List.of()).sentenceLearner().cpc(), "the bundled defaults");

    var k = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("sentenceLearner.cpc.predictionSteps=0")));
    assertEquals("sentenceLearner.cpc.predictionSteps must be in 1..16, got 0 (the paper predicts"
        + " up to 12; use 3)", k.getMessage());
    var r = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("sentenceLearner.cpc.contextKernel=17")));
    assertTrue(r.getMessage().startsWith("sentenceLearner.cpc.contextKernel must be in 1..16,"
        + " got 17"), r.getMessage());
    var q = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("sentenceLearner.cpc.queueSize=-1")));
    assertTrue(q.getMessage().startsWith("sentenceLearner.cpc.queueSize must be in 0..65536,"
        + " got -1 (0 = in-batch negatives only"), q.getMessage());
    var dc = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("sentenceLearner.cpc.contextDim=1")));
    assertTrue(dc.getMessage().startsWith("sentenceLearner.cpc.contextDim must be in 2..4096,"
        + " got 1") && dc.getMessage().contains("0 for it"), dc.getMessage());
  }

  @Test
  void swavInstDiscAndDinoSettingsReachTheLearnerAndBadOnesAreNamed() {
    var c = JobConfigLoader.defaults(List.of("learner.swav.prototypes=50",
        "learner.swav.localCrops=0", "learner.instDisc.negatives=256",
        "learner.instDisc.bankMomentum=0.9", "learner.dino.outputDim=4096",
        "learner.dino.localCrops=6", "learner.dino.teacherTemperature=0.07",
        "learner.dino.warmupSteps=300", "learner.dino.centerMomentum=0.8")).learner();
    assertEquals(new LearnerConfig.Swav(50, 0), c.swav());
    assertEquals(new LearnerConfig.InstDisc(256, 0.9), c.instDisc());
    assertEquals(new LearnerConfig.Dino(4096, 6, 0.07, 0.04, 300, 0.8), c.dino());
    assertEquals(LearnerConfig.Swav.DEFAULTS,
        JobConfigLoader.defaults(List.of()).learner().swav(), "the bundled defaults");
    assertEquals(LearnerConfig.Dino.DEFAULTS,
        JobConfigLoader.defaults(List.of()).learner().dino(), "the bundled defaults");
    var e = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("learner.instDisc.bankMomentum=1")));
    assertTrue(e.getMessage().startsWith("learner.instDisc"), e.getMessage());
    assertTrue(e.getMessage().contains("bankMomentum must be in [0, 1), got 1.0"),
        e.getMessage());
  }

  @Test
  void replaySettingsReachEveryLearnerAndBadOnesAreNamed() {
    JobConfig job = JobConfigLoader.defaults(List.of("learner.replay.capacity=512",
        "learner.replay.maxBytes=1048576", "learner.replay.policy=MIN_REDUNDANCY",
        "learner.replay.updatesPerBatch=4", "learner.replay.replayFraction=0.25",
        "sentenceLearner.replay.capacity=64", "pairLearner.replay.updatesPerBatch=2"));
    assertEquals(new ReplayConfig(512, 1 << 20, ReplayPolicy.MIN_REDUNDANCY, 4, 0.25),
        job.learner().replay());
    assertEquals(new ReplayConfig(64, ReplayConfig.DEFAULT_MAX_BYTES, ReplayPolicy.FIFO, 1,
        ReplayConfig.DEFAULT_REPLAY_FRACTION), job.sentenceLearner().replay(),
        "replayFraction -1: half of each batch replayed once there is a buffer");
    assertEquals(ReplayConfig.NONE.withUpdatesPerBatch(2), job.pairLearner().replay());
    JobConfig defaults = JobConfigLoader.defaults(List.of());
    assertEquals(ReplayConfig.IMAGES, defaults.learner().replay(),
        "the bundled defaults: images replay, as LearnerConfig.defaults does");
    assertEquals(ReplayConfig.NONE, defaults.sentenceLearner().replay());
    assertEquals(ReplayConfig.NONE, defaults.pairLearner().replay());

    var e = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("sentenceLearner.replay.updatesPerBatch=0")));
    assertTrue(e.getMessage().startsWith("sentenceLearner.replay.updatesPerBatch must be in"
        + " 1..64, got 0"), e.getMessage());
    e = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("learner.replay.capacity=0",
            "learner.replay.replayFraction=0.5")));
    assertTrue(e.getMessage().startsWith("learner.replay.replayFraction 0.5 needs a buffer"),
        e.getMessage());
  }

  @Test
  void enumValuesAreCheckedByName() {
    var e = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("learner.encoder.kind=VGG")));
    assertTrue(e.getMessage().contains("learner.encoder"), e.getMessage());
  }

  @Test
  void kafkaClientPropertiesPassThroughButSecretsNeverShow() {
    JobConfig c = JobConfigLoader.defaults(List.of(
        "kafka.properties.security.protocol=SASL_SSL",
        "kafka.properties.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
            + " required username=\"u\" password=\"hunter2\";",
        "kafka.properties.ssl.truststore.password=s3cret"));
    assertEquals("SASL_SSL", c.kafka().properties().get("security.protocol"));
    assertTrue(c.kafka().properties().get("sasl.jaas.config").contains("hunter2"),
        "clients get the real value");
    String shown = c.kafka().toString() + c;
    assertFalse(shown.contains("hunter2") || shown.contains("s3cret"), shown);
    assertTrue(shown.contains("SASL_SSL"), "non-secret settings stay visible");
  }

  @Test
  void settingsTheJobOwnsCannotBeOverriddenThroughClientProperties() {
    var e = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("kafka.properties.isolation.level=read_uncommitted")));
    assertTrue(e.getMessage().contains("kafka.properties.isolation.level"), e.getMessage());
  }

  @Test
  void missingFileAndBrokenYamlAreReportedAsSuch() throws Exception {
    var missing = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.load(dir.resolve("nope.yaml"), List.of()));
    assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "kafka: [unclosed\n");
    var bad = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.load(broken, List.of()));
    assertTrue(bad.getMessage().contains("not valid YAML"), bad.getMessage());
  }

  @Test
  void replayStartsNeedTheirTimestampOrOffsets() {
    var t = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("kafka.startingOffsets=TIMESTAMP")));
    assertTrue(t.getMessage().startsWith("kafka.startingTimestamp"), t.getMessage());
    var o = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("kafka.startingOffsets=OFFSETS")));
    assertTrue(o.getMessage().startsWith("kafka.startingPartitionOffsets"), o.getMessage());
    JobConfig c = JobConfigLoader.defaults(List.of("kafka.startingOffsets=TIMESTAMP",
        "kafka.startingTimestamp=2026-11-23T10:00:00Z"));
    assertEquals(1_795_428_000_000L,
        JobConfig.Kafka.startingMillis(c.kafka().startingTimestamp()));
  }

  @Test
  void sentenceLearnerDefaultsAreSimCseOnAHashedBagAndItsSettingsAreChecked() {
    JobConfig c = JobConfigLoader.defaults(List.of());
    assertEquals(List.of("contraflow.images", "contraflow.sentences", "contraflow.pairs"),
        c.topics().inputs());
    assertEquals(Method.SIMCSE, c.sentenceLearner().method());
    assertEquals(0.05, c.sentenceLearner().temperature());
    assertEquals(0, c.sentenceLearner().queueSize(), "SimCSE: in-batch negatives only");
    assertEquals(64, c.sentenceLearner().batchSize());
    // the hashed bag of words (README, "Quality, sentences after one pass")
    assertEquals(TextEncoderKind.HASHED_BAG, c.sentenceLearner().encoder().kind());
    assertEquals(1024, c.sentenceLearner().encoder().projectionDim());
    assertEquals(1, c.sentenceLearner().tokenizer().slotsPerToken(), "words only");
    assertEquals(SentencePooling.IDF, c.sentenceLearner().pooling());
    assertEquals(OptimizerConfig.Kind.ADAGRAD, c.sentenceLearner().optimizer().kind());
    assertEquals(c.sentenceLearner().tokenizer().buckets(),
        c.sentenceLearner().encoder().vocabularySize());

    var m = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("sentenceLearner.method=MOCO")));
    assertTrue(m.getMessage().startsWith("sentenceLearner: method MOCO learns from images"),
        m.getMessage());
    var t = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("sentenceLearner.temperature=0")));
    assertTrue(t.getMessage().startsWith("sentenceLearner: temperature"), t.getMessage());
    var same = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("model.defaultSentenceId=default")));
    assertTrue(same.getMessage().startsWith("model.defaultSentenceId"), same.getMessage());
    var clip = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("model.defaultPairId=default-text")));
    assertTrue(clip.getMessage().startsWith("model.defaultPairId"), clip.getMessage());
    var pairs = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("pairLearner.batchSize=1")));
    assertTrue(pairs.getMessage().startsWith("pairLearner: batchSize must be >= 2"),
        pairs.getMessage());
  }

  @Test
  void anEmptyInputTopicTurnsItsModalityOffButOneMustRemain() {
    JobConfig textOnly = JobConfigLoader.defaults(List.of("topics.images=", "topics.pairs="));
    assertFalse(textOnly.topics().readsImages());
    assertEquals(List.of("contraflow.sentences", "contraflow.embeddings",
        "contraflow.checkpoints", "contraflow.dead-letters"), textOnly.topics().all());
    var none = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of("topics.images=", "topics.sentences=",
            "topics.pairs=")));
    assertTrue(none.getMessage().contains("name at least one input topic"), none.getMessage());
  }
}
