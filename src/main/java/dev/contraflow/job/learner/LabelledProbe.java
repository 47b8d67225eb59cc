package dev.contraflow.job.learner;

import dev.contraflow.avro.ImageRecord;
import dev.contraflow.eval.KnnClassifier;
import dev.contraflow.eval.LabelledEmbeddings;
import dev.contraflow.io.image.EncoderInput;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.LabelledImages;
import dev.contraflow.job.RecordCodecs;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.kafka.LabelledImageTopic;
import dev.contraflow.kafka.TimeRange;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publish gates' labelled probe ({@code publish.gates.probe.*}): labelled images, from files
 * or a topic range, loaded on the task manager when the learner opens, and the weighted kNN
 * accuracy (InstDisc/MoCo's monitor: cosine, votes exp(sim / T), T = 0.07) of a candidate's
 * embeddings of them. Every other probe image is the bank, the rest the queries: an image never
 * votes for itself, which would make every model look perfect.
 */
final class LabelledProbe implements Serializable {

  private static final Logger LOG = LoggerFactory.getLogger(LabelledProbe.class);
  /** The InstDisc/MoCo kNN temperature. */
  private static final double T = 0.07;
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(120);

  private final JobConfig.Probe probe;
  private final JobConfig.Kafka kafka;
  private final JobConfig.Records records;
  private final EncoderInput input;

  LabelledProbe(JobConfig config) {
    this.probe = config.publish().gates().probe();
    this.kafka = config.kafka();
    this.records = config.records();
    this.input = config.encoderInput();
  }

  boolean configured() {
    return probe.configured();
  }

  /** The probe's images at the image encoder's input, with their labels. */
  LabelledImages load() throws IOException {
    ImageDecoder decoder = new ImageDecoder(input);
    if (!probe.images().isEmpty()) {
      LabelledImages files = LabelledImages.fromFiles(Path.of(probe.images()), probe.limit(),
          decoder, item -> LOG.warn("labelled probe: {} refused: {}", item.describe(),
              item.refusal()));
      LOG.info("labelled probe: {} images from {}", files.size(), probe.images());
      return files;
    }
    TimeRange range = TimeRange.parse(probe.from().isEmpty() ? null : probe.from(),
        probe.to().isEmpty() ? null : probe.to());
    LabelledImageTopic read = LabelledImageTopic.read(kafka.bootstrapServers(), probe.topic(),
        range, new RecordCodecs(records).forTopic(ImageRecord.class, probe.topic()),
        kafka.properties(), decoder, probe.limit(), READ_TIMEOUT);
    LOG.info("labelled probe: {} images from topic {} ({} without a label, {} undecodable)",
        read.images().size(), probe.topic(), read.unlabelled(), read.undecodable());
    return read.images();
  }

  /**
   * The weighted kNN accuracy of {@code embeddings} (n x d, row i of image i) on the probe's
   * {@code labels}: even rows the bank, odd rows the queries; NaN with fewer than 2 images.
   */
  double accuracy(float[][] embeddings, int[] labels) {
    return accuracy(embeddings, labels, probe.k());
  }

  static double accuracy(float[][] embeddings, int[] labels, int k) {
    int n = embeddings.length;
    if (n < 2) {
      return Double.NaN;
    }
    int banked = (n + 1) / 2;
    float[][] bank = new float[banked][];
    int[] bankLabels = new int[banked];
    float[][] queries = new float[n / 2][];
    int[] queryLabels = new int[n / 2];
    for (int i = 0; i < n; i++) {
      if (i % 2 == 0) {
        bank[i / 2] = embeddings[i];
        bankLabels[i / 2] = labels[i];
      } else {
        queries[i / 2] = embeddings[i];
        queryLabels[i / 2] = labels[i];
      }
    }
    return KnnClassifier.weighted(Math.min(k, banked), T).accuracy(
        LabelledEmbeddings.of(bank, bankLabels), LabelledEmbeddings.of(queries, queryLabels));
  }
}
