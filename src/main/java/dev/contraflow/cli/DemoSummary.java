package dev.contraflow.cli;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.CheckpointStatus;
import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.Modality;
import dev.contraflow.eval.KnnClassifier;
import dev.contraflow.eval.LabelledEmbeddings;
import dev.contraflow.io.image.Image;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.learner.ModelStore;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the demo's subscribers received: counts of records in, embeddings (per modality and model
 * version), dead letters and checkpoints, then, when the images have labels, weighted kNN
 * accuracy of the published embeddings against raw pixels, the untrained encoder and the last
 * checkpoint re-embedded (the last fifth of the embedded images queried against the rest).
 *
 * @param job the job's configuration (model ids, learner)
 * @param images how many images were streamed
 * @param refused the images refused before Kafka, each with its reason
 * @param data the labelled images streamed, at the encoder's input (empty without labels)
 * @param labels their labels, if any
 * @param lines how many sentences were streamed
 */
record DemoSummary(JobConfig job, int images, List<String> refused, List<Image> data,
    Optional<int[]> labels, int lines) {

  /** Dead letters listed one a line; the rest are counted. */
  private static final int DEAD_LETTERS_LISTED = 20;

  /** Prints the summary of what the subscribers received. */
  void print(PrintWriter out, List<EmbeddingRecord> allEmbeddings,
      List<DeadLetterRecord> deadLetters, List<CheckpointRecord> allCheckpoints)
      throws Exception {
    List<EmbeddingRecord> embeddings = allEmbeddings.stream()
        .filter(e -> e.getModality() == Modality.IMAGE).toList();
    List<CheckpointRecord> checkpoints = allCheckpoints.stream()
        .filter(c -> c.getModelId().equals(job.model().defaultId()))
        .filter(c -> c.getStatus() == CheckpointStatus.PUBLISHED).toList();
    out.printf("records in         %d%s%n", images + lines, lines == 0 ? ""
        : " (" + images + " images, " + lines + " sentences)");
    if (!refused.isEmpty()) {
      out.printf("refused before Kafka %d%n", refused.size());
      refused.forEach(r -> out.println("  " + r));
    }
    out.printf("embeddings out     %d (model versions 1..%d)%n", embeddings.size(),
        lastVersion(embeddings));
    if (lines > 0) {
      List<EmbeddingRecord> text = allEmbeddings.stream()
          .filter(e -> e.getModality() == Modality.TEXT).toList();
      out.printf("sentence embeddings %d (model %s, versions 1..%d)%n", text.size(),
          job.model().defaultSentenceId(), lastVersion(text));
    }
    out.printf("dead letters       %d%n", deadLetters.size());
    deadLetters.stream().limit(DEAD_LETTERS_LISTED).forEach(d -> out.println("  "
        + d.getSourceTopic() + " offset " + d.getOffset() + ": " + d.getReason()));
    if (deadLetters.size() > DEAD_LETTERS_LISTED) {
      out.printf("  ... and %d more%n", deadLetters.size() - DEAD_LETTERS_LISTED);
    }
    // a refresh's completion record is not another checkpoint: counted apart
    List<CheckpointRecord> models = allCheckpoints.stream()
        .filter(c -> c.getStatus() != CheckpointStatus.COMPLETE).toList();
    long refreshed = allCheckpoints.size() - models.size();
    out.printf("checkpoints        %d%s%s%n", models.size(), refreshed == 0 ? ""
        : ", " + refreshed + " refreshed in full", models.isEmpty() ? ""
        : " (last: " + models.get(models.size() - 1).getUri() + ")");
    Map<String, float[]> published = new HashMap<>();
    for (EmbeddingRecord e : embeddings) {
      published.put(e.getId(), vector(e.getVector()));
    }
    // Only images that became embeddings (a dead letter has none) take part.
    List<Image> embedded = data.stream().filter(i -> published.containsKey(i.id())).toList();
    int bankSize = embedded.size() * 4 / 5;
    if (labels.isEmpty() || bankSize < 10 || embedded.size() - bankSize < 10) {
      out.println("kNN accuracy       n/a (" + (labels.isEmpty() ? "no labels next to the images"
          : "too few images; use --limit 100 or more") + ")");
      return;
    }
    int[] y = new int[embedded.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = labels.get()[Integer.parseInt(embedded.get(i).id())];
    }
    int k = Math.min(200, bankSize);
    Holdout holdout = new Holdout(KnnClassifier.weighted(k, 0.07), y, bankSize);
    out.printf("kNN accuracy       weighted k=%d, T=0.07: the last %d images queried against "
        + "the first %d%n", k, y.length - bankSize, bankSize);
    double pixels = holdout.score(embedded.stream().map(Image::pixels).toArray(float[][]::new));
    out.printf("  %-34s %.4f%n", "raw pixels", pixels);
    out.printf("  %-34s %.4f (each from its batch's model version)%n",
        "published embeddings", holdout.score(embedded.stream().map(i -> published.get(i.id()))
            .toArray(float[][]::new)));
    Learner<Image> learner = Learner.images(job.learner());
    out.printf("  %-34s %.4f%n", "untrained encoder",
        holdout.score(learner.embedAll(learner.initialState(), embedded)));
    if (!checkpoints.isEmpty()) {
      CheckpointRecord last = checkpoints.get(checkpoints.size() - 1);
      LearnerState trained = ModelStore.read(last.getUri()).state();
      double learned = holdout.score(learner.embedAll(trained, embedded));
      out.printf("  %-34s %.4f%n", "last checkpoint (v" + last.getModelVersion()
          + ") re-embedded", learned);
      out.printf("the last checkpoint is %s raw pixels (%+.4f)%n",
          learned > pixels ? "above" : "not above", learned - pixels);
    }
  }

  private static long lastVersion(List<EmbeddingRecord> embeddings) {
    return embeddings.stream().mapToLong(EmbeddingRecord::getModelVersion).max().orElse(0);
  }

  private static float[] vector(List<Float> values) {
    float[] v = new float[values.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = values.get(i);
    }
    return v;
  }

  /** Weighted kNN with the first {@code bankSize} rows as the bank and the rest as queries. */
  private record Holdout(KnnClassifier knn, int[] labels, int bankSize) {
    double score(float[][] rows) {
      int n = rows.length;
      LabelledEmbeddings bank = LabelledEmbeddings.of(Arrays.copyOfRange(rows, 0, bankSize),
          Arrays.copyOfRange(labels, 0, bankSize)).l2Normalised();
      LabelledEmbeddings queries = LabelledEmbeddings.of(Arrays.copyOfRange(rows, bankSize, n),
          Arrays.copyOfRange(labels, bankSize, n)).l2Normalised();
      return knn.accuracy(bank, queries);
    }
  }
}
