package dev.contraflow.job;

import static dev.contraflow.job.StreamingStack.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.ImageEncoding;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.io.image.EncodedImages;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.record.ImageRecords;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.kafka.TopicReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's corpus: one record of each hostile kind, among good records, through the embedded
 * job. Every record ends as exactly one embedding or one dead letter, and the job never restarts.
 */
class HostileInputStreamingTest {

  private static final int MAX_RECORD_BYTES = 65536;
  private static final int MAX_DEAD_LETTER_BYTES = 65536;

  @Test
  void everyRecordEndsAsOneEmbeddingOrOneDeadLetterAndTheJobNeverRestarts(@TempDir Path dir)
      throws Exception {
    try (StreamingStack stack = StreamingStack.start(dir)) {
      JobConfig config = stack.config("hostile", "limits.maxRecordBytes=" + MAX_RECORD_BYTES,
          "limits.maxDeadLetterBytes=" + MAX_DEAD_LETTER_BYTES, "model.maxKeys=2",
          "limits.maxPendingBytes=1048576", "job.batchTimeout=500ms", "publish.everySteps=1",
          // BadInput's RGB image is one of the refusals; by default it would be converted
          "model.channelConversion=REFUSE");
      RecordCodec<ImageRecord> codec = RecordCodec.singleObject(ImageRecord.class);
      List<Image> images = StreamingStack.images(24);

      Map<String, byte[]> hostile = new LinkedHashMap<>(BadInput.values());
      for (String id : List.of("../escape", "a/b", "c:d", "x".repeat(300))) {
        hostile.put("modelId " + id.substring(0, Math.min(id.length(), 12)),
            codec.encode(ImageRecords.raw(images.get(0), id, "hostile", Instant.EPOCH)));
      }
      // 1024 x 1024 grey: a few KB as PNG, 4 MiB as floats, which the decoder resizes to the
      // model's 28 x 28 before it reaches a batch. Its model is the job's second; "third" comes
      // after it and is one too many.
      hostile.put("large-pixels", codec.encode(ImageRecord.newBuilder().setId("large")
          .setEncoding(ImageEncoding.PNG).setModelId("second")
          .setBytes(ByteBuffer.wrap(EncodedImages.greyPng(1024, 1024)))
          .setEventTime(Instant.EPOCH).build()));
      hostile.put("third-model-over-maxKeys", codec.encode(ImageRecords.raw(images.get(1),
          "third", "hostile", Instant.EPOCH)));
      hostile.put("oversized", new byte[4 * MAX_RECORD_BYTES]);

      stack.produce(config, images.subList(0, 12), null);
      for (var e : hostile.entrySet()) {
        stack.produceBytes(config, e.getKey(), e.getValue());
      }
      stack.produceForModels(config, images.subList(12, 24), i -> "second");
      int sent = images.size() + hostile.size();

      TopicReader<EmbeddingRecord> embeddings = stack.embeddings(config);
      TopicReader<DeadLetterRecord> deadLetters = stack.deadLetters(config);
      JobClient job = stack.run(config);
      try {
        await(() -> embeddings.count() + deadLetters.count() >= sent, Duration.ofSeconds(180),
            () -> embeddings.count() + " embeddings + " + deadLetters.count()
                + " dead letters of " + sent + " records");
        assertEquals(JobStatus.RUNNING, job.getJobStatus().get());
      } finally {
        job.cancel().get();
      }

      Map<Long, Integer> outcomes = new HashMap<>();
      embeddings.records().forEach(e -> outcomes.merge(e.getSourceOffset(), 1, Integer::sum));
      deadLetters.records().forEach(d -> outcomes.merge(d.getOffset(), 1, Integer::sum));
      assertEquals(sent, outcomes.size(), "every record has an outcome: " + outcomes);
      assertTrue(outcomes.values().stream().allMatch(n -> n == 1),
          "exactly one per record: " + outcomes);
      assertEquals(images.size() + 1, embeddings.count(), "the good images and the large one");

      for (DeadLetterRecord d : deadLetters.records()) {
        assertTrue(d.getValue() == null || d.getValue().remaining() <= MAX_DEAD_LETTER_BYTES,
            "a dead letter fits limits.maxDeadLetterBytes");
      }
      assertTrue(deadLetters.records().stream().anyMatch(d -> d.getTruncated()
          && d.getValueSize() == 4 * MAX_RECORD_BYTES), "the oversized record, cut");
      assertTrue(deadLetters.records().stream().anyMatch(d -> d.getReason()
          .contains("model.maxKeys = 2")), "the third model id");
      assertEquals(0L, ((Number) CapturingMetricReporter.value("hostile", ".numRestarts")
          .orElseThrow(() -> new AssertionError("no numRestarts metric"))).longValue(),
          "the job never restarted");
      try (Stream<Path> store = Files.walk(dir)) {
        assertTrue(store.filter(p -> p.getFileName().toString().endsWith(".cfm"))
            .allMatch(p -> p.startsWith(dir.resolve("hostile-models"))),
            "no model file outside the store");
      }
    }
  }
}
