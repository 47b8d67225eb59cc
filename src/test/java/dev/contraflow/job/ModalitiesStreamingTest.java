package dev.contraflow.job;

import static dev.contraflow.job.StreamingStack.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.Modality;
import dev.contraflow.avro.PairRecord;
import dev.contraflow.avro.SentenceRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.record.PairRecords;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.decode.SentenceInput;
import dev.contraflow.kafka.TopicReader;
import dev.contraflow.learn.Batch;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.LearnerStateCodec;
import dev.contraflow.learn.ModelFile;
import dev.contraflow.learn.SentenceExample;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images, sentences and image-caption pairs through one embedded job: own topics, own learners
 * and model keys, one sink.
 */
@Tag("slow")
class ModalitiesStreamingTest {

  private static final String[] WORDS = {"river", "stone", "light", "window", "garden", "bread",
      "winter", "letter", "song", "harbour", "lamp", "forest", "market", "clock", "bridge"};

  @TempDir
  static Path dir;
  static StreamingStack stack;

  @BeforeAll
  static void startBroker() throws Exception {
    stack = StreamingStack.start(dir);
  }

  @AfterAll
  static void stopBroker() throws Exception {
    stack.close();
  }

  /** Sentence i: a few words from the list; every fifth is a supervised NLI-style record. */
  static SentenceRecord sentence(int i) {
    String text = "the " + WORDS[i % WORDS.length] + " near the "
        + WORDS[(i * 7 + 3) % WORDS.length] + " was " + (i % 2 == 0 ? "quiet" : "bright");
    SentenceRecord.Builder b = SentenceRecord.newBuilder().setId("s" + i).setText(text)
        .setEventTime(Instant.ofEpochMilli(i)).setLanguage("en");
    if (i % 5 == 0) {
      b.setPositive("a " + WORDS[i % WORDS.length] + " stood there").setHardNegative(
          "there was no " + WORDS[i % WORDS.length]);
    }
    return b.build();
  }

  @Test
  void sentencesTrainTheirOwnModelNextToImagesAndBadSentencesAreDeadLetters() throws Exception {
    JobConfig config = stack.config("text", "publish.everySteps=2", "job.batchTimeout=300ms",
        "sentenceLearner.tokenizer.maxChars=100");
    List<SentenceRecord> good = new ArrayList<>();
    for (int i = 0; i < 22; i++) { // 5 full batches of 4, then 2 by timeout
      good.add(sentence(i));
    }
    List<Image> images = StreamingStack.images(16);
    Map<String, byte[]> bad = new LinkedHashMap<>();
    var codec = new RecordCodecs(config.records()).forTopic(SentenceRecord.class,
        config.topics().sentences());
    bad.put("empty-text", codec.encode(SentenceRecord.newBuilder(sentence(90)).setText("  ")
        .build()));
    bad.put("too-long", codec.encode(SentenceRecord.newBuilder(sentence(91))
        .setText("word ".repeat(40)).build()));
    bad.put("hard-negative-alone", codec.encode(SentenceRecord.newBuilder(sentence(92))
        .setHardNegative("nothing").build()));
    bad.put("garbage", "not avro at all".getBytes(StandardCharsets.UTF_8));

    stack.produceSentences(config, good.subList(0, 10));
    for (var e : bad.entrySet()) {
      stack.produceBytes(config.topics().sentences(), e.getKey(), e.getValue());
    }
    stack.produceSentences(config, good.subList(10, 22));
    stack.produce(config, images, null);
    TopicReader<EmbeddingRecord> embeddings = stack.embeddings(config);
    TopicReader<DeadLetterRecord> deadLetters = stack.deadLetters(config);
    TopicReader<CheckpointRecord> checkpoints = stack.checkpoints(config);

    JobClient job = stack.run(config);
    int in = good.size() + images.size() + bad.size();
    try {
      await(() -> embeddings.count() + deadLetters.count() >= in, Duration.ofSeconds(120),
          () -> embeddings.count() + " embeddings + " + deadLetters.count() + " dead letters of "
              + in + " records");
    } finally {
      job.cancel().get();
    }

    Map<String, EmbeddingRecord> byId = embeddings.records().stream()
        .collect(Collectors.toMap(EmbeddingRecord::getId, Function.identity()));
    assertEquals(good.size() + images.size(), embeddings.count(), "one embedding per record");
    for (SentenceRecord s : good) {
      EmbeddingRecord e = byId.get(s.getId());
      assertEquals(Modality.TEXT, e.getModality(), s.getId());
      assertEquals("default-text", e.getModelId());
      assertEquals(config.topics().sentences(), e.getSourceTopic());
      assertEquals(8, e.getDim());
    }
    assertEquals(5, byId.get("s21").getModelVersion(),
        "the timed-out remainder is embedded by step 5, before its own update");
    for (Image image : images) {
      assertEquals(Modality.IMAGE, byId.get(image.id()).getModality());
      assertEquals("default", byId.get(image.id()).getModelId());
    }
    assertTrue(!byId.get("s0").getConfigHash().equals(byId.get("0").getConfigHash()),
        "each modality's configuration has its own hash");

    Map<String, String> expected = Map.of("empty-text", "empty text", "too-long",
        "longer than the limit of 100", "hard-negative-alone", "hardNegative but no positive",
        "garbage", "not a SentenceRecord");
    assertEquals(bad.size(), deadLetters.count(), "every bad sentence is a dead letter");
    for (DeadLetterRecord d : deadLetters.records()) {
      String key = new String(d.getKey().array(), StandardCharsets.UTF_8);
      assertTrue(d.getReason().contains(expected.get(key)), key + ": " + d.getReason());
      assertEquals(config.topics().sentences(), d.getSourceTopic());
      byte[] original = new byte[d.getValue().remaining()];
      d.getValue().get(original);
      assertArrayEquals(bad.get(key), original, key + ": the original bytes travel along");
    }

    List<CheckpointRecord> text = checkpoints.records().stream()
        .filter(c -> c.getModelId().equals("default-text")).toList();
    assertTrue(text.size() >= 2, "published every 2 steps: " + text.size());
    CheckpointRecord last = text.get(text.size() - 1);
    assertEquals("SIMCSE", last.getMethod());
    ModelFile.SentenceModel model = ModelFile.readSentenceModel(
        Path.of(URI.create(last.getUri())));
    LearnerState expectedState = uninterruptedRun(config, good, (int) last.getModelVersion());
    assertArrayEquals(LearnerStateCodec.toBytes(expectedState),
        LearnerStateCodec.toBytes(model.state()),
        "the job's sentence model is exactly the engine-free learner's on the same batches");
  }

  @Test
  void pairsTrainAClipModelThatEmbedsImagesAndCaptionsIntoOneSpace() throws Exception {
    JobConfig config = stack.config("clip", "publish.everySteps=2", "job.batchTimeout=300ms");
    List<Image> images = StreamingStack.images(10); // 2 full batches of 4, then 2 by timeout
    List<PairRecord> pairs = new ArrayList<>();
    for (Image image : images) {
      pairs.add(PairRecords.raw("p" + image.id(), image, "a photo of item " + image.id(), null,
          "test", Instant.EPOCH));
    }
    PairRecord emptyCaption = PairRecords.raw("bad-caption", images.get(0), " ", null, "test",
        Instant.EPOCH);
    stack.producePairs(config, pairs.subList(0, 5));
    stack.producePairs(config, List.of(emptyCaption));
    stack.producePairs(config, pairs.subList(5, 10));
    TopicReader<EmbeddingRecord> embeddings = stack.embeddings(config);
    TopicReader<DeadLetterRecord> deadLetters = stack.deadLetters(config);
    TopicReader<CheckpointRecord> checkpoints = stack.checkpoints(config);

    JobClient job = stack.run(config);
    try {
      await(() -> embeddings.count() >= 2 * pairs.size() && deadLetters.count() >= 1
              && checkpoints.count() >= 1, Duration.ofSeconds(120),
          () -> embeddings.count() + " embeddings, " + deadLetters.count() + " dead letters, "
              + checkpoints.count() + " checkpoints");
    } finally {
      job.cancel().get();
    }

    Map<String, EmbeddingRecord> byId = embeddings.records().stream()
        .collect(Collectors.toMap(EmbeddingRecord::getId, Function.identity()));
    assertEquals(2 * pairs.size(), embeddings.count(), "two embeddings per pair, no more");
    for (PairRecord p : pairs) {
      EmbeddingRecord image = byId.get(p.getId() + "#image");
      EmbeddingRecord text = byId.get(p.getId() + "#text");
      assertEquals(Modality.IMAGE, image.getModality());
      assertEquals(Modality.TEXT, text.getModality());
      assertEquals("default-clip", image.getModelId());
      assertEquals(image.getSourceOffset(), text.getSourceOffset(), "both carry the pair's offset");
      assertEquals(image.getModelVersion(), text.getModelVersion());
      assertEquals(image.getDim(), text.getDim(), "one shared space");
    }
    assertEquals(2, byId.get("p9#text").getModelVersion(),
        "the timed-out remainder is embedded by step 2, before its own update");
    DeadLetterRecord dead = deadLetters.records().get(0);
    assertTrue(dead.getReason().startsWith("pair bad-caption, caption: "), dead.getReason());

    CheckpointRecord c = checkpoints.records().get(0);
    assertEquals("CLIP", c.getMethod());
    assertTrue(c.getUri().endsWith("default-clip-clip-v2.cfm"), c.getUri());
    assertTrue(c.getDl4jUri().endsWith("-image-encoder.zip"), c.getDl4jUri());
    ModelFile.PairModel model = ModelFile.readPairModel(Path.of(URI.create(c.getUri())));
    assertEquals(2, model.state().step());
    assertEquals(config.pairLearner(), model.config());
  }

  /** The first {@code steps} batches of the sentences through a plain SentenceLearner. */
  private static LearnerState uninterruptedRun(JobConfig config, List<SentenceRecord> sentences,
      int steps) throws Exception {
    Learner<SentenceExample> learner = Learner.sentences(config.sentenceLearner());
    SentenceTokenizer tokenizer =
        new SentenceTokenizer(config.sentenceLearner().tokenizer());
    LearnerState s = learner.initialState();
    int b = config.sentenceLearner().batchSize();
    for (int step = 0; step < steps; step++) {
      List<SentenceExample> batch = new ArrayList<>();
      for (SentenceRecord r : sentences.subList(step * b, Math.min((step + 1) * b,
          sentences.size()))) {
        batch.add(new SentenceInput(r.getId(), "m", r.getText(),
            r.getPositive(), r.getHardNegative(), "t", 0, 0, 0).example(tokenizer));
      }
      s = learner.step(s, Batch.trainingOnly(batch)).state();
    }
    return s;
  }
}
