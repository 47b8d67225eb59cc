package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.Modality;
import dev.contraflow.io.image.Image;
import dev.contraflow.job.config.JobConfigLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The demo's summary, from what subscribers received, without a broker or a job. */
class DemoSummaryTest {

  @Test
  void countsEachKindOfOutputAndSaysWhyThereIsNoAccuracyWithoutLabels() throws Exception {
    List<Image> images = List.of(image("0"), image("1"), image("2"));
    DemoSummary summary = new DemoSummary(JobConfigLoader.defaults(List.of(
        "model.defaultId=demo", "model.defaultSentenceId=demo-text")), images.size(), List.of(),
        images, Optional.empty(), 1);
    StringWriter out = new StringWriter();
    summary.print(new PrintWriter(out, true),
        List.of(embedding("0", Modality.IMAGE, "demo", 1),
            embedding("1", Modality.IMAGE, "demo", 3),
            embedding("line-0", Modality.TEXT, "demo-text", 2)),
        List.of(DeadLetterRecord.newBuilder().setSourceTopic("contraflow.images").setPartition(0)
            .setOffset(2).setReason("not an image").setFailedAt(Instant.EPOCH).build()),
        List.of());
    assertEquals(String.join(System.lineSeparator(),
        "records in         4 (3 images, 1 sentences)",
        "embeddings out     2 (model versions 1..3)",
        "sentence embeddings 1 (model demo-text, versions 1..2)",
        "dead letters       1",
        "  contraflow.images offset 2: not an image",
        "checkpoints        0",
        "kNN accuracy       n/a (no labels next to the images)", ""), out.toString());
  }

  private static Image image(String id) {
    return new Image(id, 1, 2, 2, new float[] {0, 0.5f, 1, 0.25f});
  }

  private static EmbeddingRecord embedding(String id, Modality modality, String model,
      long version) {
    return EmbeddingRecord.newBuilder().setId(id).setModality(modality).setModelId(model)
        .setModelVersion(version).setDim(2).setNormalized(true).setVector(List.of(0.6f, 0.8f))
        .setSourceTopic("t").setSourcePartition(0).setSourceOffset(0).setEventTime(Instant.EPOCH)
        .setEmittedAt(Instant.EPOCH).build();
  }
}
