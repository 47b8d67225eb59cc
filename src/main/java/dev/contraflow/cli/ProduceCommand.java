package dev.contraflow.cli;

import dev.contraflow.avro.ImageEncoding;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.avro.PairRecord;
import dev.contraflow.avro.SentenceRecord;
import dev.contraflow.io.image.EncoderInput;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.ImageSource;
import dev.contraflow.io.record.ImageRecords;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.RecordCodecs;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigOptions;
import dev.contraflow.io.image.Image;
import dev.contraflow.kafka.ImageFeed;
import dev.contraflow.kafka.RecordProducer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecord;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Puts images, sentences or image-text pairs on a Kafka topic as the job reads them: the records
 * of {@code schemas/}, in the job's wire format, with the job configuration's Kafka client
 * settings (security included), so a user with a real broker can feed the job without writing a
 * producer. Files are read one at a time: image files travel as they are (PNG or JPEG, the job
 * decodes and resizes them), IDX images as RAW pixels.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
    description = {"Writes images, sentences or image-text pairs to a Kafka topic as contraflow's"
        + " Avro records (the job's wire format and Kafka settings: --config / --set, or"
        + " --bootstrap and --kafka-properties). Prints progress and a summary; input that cannot"
        + " become a record is listed with its reason."})
final class ProduceCommand implements Callable<Integer> {

  /** Exactly one input. */
  static final class Input {
    @Option(names = "--images", required = true,
        description = "IDX images file (.gz ok), a Fashion-MNIST folder, or a folder of PNG/JPEG"
            + " files (sent as they are; ids are file names).")
    Path images;

    @Option(names = "--sentences", required = true,
        description = "UTF-8 text file, one sentence per line (ids: line-<n>).")
    Path sentences;

    @Option(names = "--pairs", required = true,
        description = "UTF-8 lines 'image-file<TAB>caption', image paths relative to this file's"
            + " folder (ids: 0-based line numbers).")
    Path pairs;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  @Option(names = "--topic",
      description = "Topic to write (default: the job configuration's topics.images / sentences"
          + " / pairs).")
  String topic;

  @Option(names = "--bootstrap",
      description = "Kafka bootstrap servers (default: the job configuration's"
          + " kafka.bootstrapServers).")
  String bootstrap;

  @Option(names = "--kafka-properties",
      description = "Kafka client properties file (security.protocol, sasl.*, ssl.* ...), as"
          + " Kafka's own tools take it; the same as --set kafka.properties.<key>=<value>.")
  Path kafkaProperties;

  @Option(names = "--model-id",
      description = "Model that learns from these records (default: the job's default model).")
  String modelId;

  @Option(names = "--source", description = "The records' source field (default: the input's"
      + " file name).")
  String source;

  @Option(names = "--limit", defaultValue = "0",
      description = "Write only the first N records (default: all).")
  int limit;

  @Option(names = "--rate", defaultValue = "0",
      description = "At most this many records per second (default: as fast as the broker takes"
          + " them).")
  double rate;

  @Mixin JobConfigOptions jobOptions;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (limit < 0 || !(rate >= 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("--limit must be >= 0 and --rate a finite value >= 0, got "
          + limit + " and " + rate);
    }
    JobConfig job = jobOptions.load(settings());
    RecordCodecs codecs = new RecordCodecs(job.records());
    String t = topic != null ? topic : input.images != null ? job.topics().images()
        : input.sentences != null ? job.topics().sentences() : job.topics().pairs();
    Sent sent = new Sent(spec.commandLine().getErr(), rate, t, job.limits().maxRecordBytes());
    try (RecordProducer producer = new RecordProducer(job.kafka().bootstrapServers(),
        job.kafka().properties())) {
      if (input.images != null) {
        images(new Writer<>(producer, t, codecs.forTopic(ImageRecord.class, t), sent),
            job.encoderInput());
      } else if (input.sentences != null) {
        sentences(new Writer<>(producer, t, codecs.forTopic(SentenceRecord.class, t), sent));
      } else {
        pairs(new Writer<>(producer, t, codecs.forTopic(PairRecord.class, t), sent));
      }
      producer.flush();
    }
    sent.summary(spec.commandLine().getOut(), job.kafka());
    return sent.records == 0 ? 1 : 0;
  }

  /** --bootstrap and the properties file as job settings, before the user's own --set. */
  private List<String> settings() throws IOException {
    List<String> settings = new ArrayList<>();
    if (bootstrap != null) {
      settings.add("kafka.bootstrapServers=" + bootstrap);
    }
    if (kafkaProperties != null) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(kafkaProperties)) {
        p.load(in);
      }
      p.stringPropertyNames().forEach(k -> settings.add("kafka.properties." + k + "="
          + p.getProperty(k)));
    }
    return settings;
  }

  /** Through {@link ImageFeed}, as the demo sends them: ids are file names here. */
  private void images(Writer<ImageRecord> out, EncoderInput input) throws IOException {
    ImageSource images = ImageSource.open(this.input.images, limit, new ImageDecoder(input));
    String from = source != null ? source : this.input.images.getFileName().toString();
    if (images.ignoredFiles() > 0) {
      out.sent.err.printf("produce: %d file(s) of %s are not .png/.jpg/.jpeg and are not read%n",
          images.ignoredFiles(), this.input.images);
    }
    Sent sent = out.sent;
    new ImageFeed(out.producer, out.topic, out.codec, from, modelId, ImageFeed.Ids.FILE_NAME,
        ImageFeed.NonImages.REFUSE, sent.maxRecordBytes).send(images,
        ImageSource.labelsFor(this.input.images), new ImageFeed.Listener() {
          @Override
          public void sending() {
            sent.pace();
          }

          @Override
          public void sent(String id, Image image, int bytes) {
            sent.sent(bytes);
          }

          @Override
          public void refused(String id, String item, String reason) {
            sent.refuse(id, reason);
          }
        });
  }

  /** The file's bytes; nothing (refused) when it cannot be read or could never be a record. */
  private static Optional<byte[]> encodedImage(String id, Path file, Sent sent) {
    ImageFeed.FileBytes read = ImageFeed.FileBytes.read(file, sent.maxRecordBytes);
    if (read.refusal() != null) {
      sent.refuse(id, read.refusal());
    }
    return Optional.ofNullable(read.bytes());
  }

  private void sentences(Writer<SentenceRecord> out) throws IOException {
    String from = source != null ? source : input.sentences.getFileName().toString();
    try (BufferedReader lines = Files.newBufferedReader(input.sentences,
        StandardCharsets.UTF_8)) {
      int n = 0;
      for (String line = lines.readLine(); line != null; line = lines.readLine(), n++) {
        if (limit > 0 && out.sent.records >= limit) {
          break;
        }
        String id = "line-" + n;
        if (line.isBlank()) {
          out.sent.refuse(id, "blank line");
          continue;
        }
        out.send(id, SentenceRecord.newBuilder().setId(id).setText(line).setModelId(modelId)
            .setSource(from).setEventTime(Instant.now()).build());
      }
    }
  }

  private void pairs(Writer<PairRecord> out) throws IOException {
    Path folder = input.pairs.toAbsolutePath().getParent();
    String from = source != null ? source : input.pairs.getFileName().toString();
    try (BufferedReader lines = Files.newBufferedReader(input.pairs, StandardCharsets.UTF_8)) {
      int n = 0;
      for (String line = lines.readLine(); line != null; line = lines.readLine(), n++) {
        if (limit > 0 && out.sent.records >= limit) {
          break;
        }
        String id = Integer.toString(n);
        int tab = line.indexOf('\t');
        if (tab < 0) {
          out.sent.refuse(id, "no tab between image file and caption");
          continue;
        }
        Optional<byte[]> bytes = encodedImage(id, folder.resolve(line.substring(0, tab).strip()),
            out.sent);
        if (bytes.isEmpty()) {
          continue;
        }
        Optional<ImageEncoding> encoding = ImageRecords.encodingOf(bytes.get());
        if (encoding.isEmpty()) {
          out.sent.refuse(id, "image is neither PNG nor JPEG (by its first bytes)");
          continue;
        }
        Instant now = Instant.now();
        out.send(id, PairRecord.newBuilder().setId(id)
            .setImage(ImageRecords.encoded(id, bytes.get(), encoding.get(), modelId, from, now))
            .setText(line.substring(tab + 1)).setModelId(modelId).setSource(from)
            .setEventTime(now).build());
      }
    }
  }

  /** Encodes and sends the records of one topic, paced and counted. */
  private record Writer<T extends SpecificRecord>(RecordProducer producer, String topic,
      RecordCodec<T> codec, Sent sent) {

    /**
     * Sends one record; one larger than the job's {@code limits.maxRecordBytes} is refused here,
     * as the job would only send it to the dead-letter topic.
     */
    void send(String id, T record) {
      byte[] value = codec.encode(record);
      if (value.length > sent.maxRecordBytes) {
        sent.refuse(id, "record of " + value.length + " bytes exceeds limits.maxRecordBytes = "
            + sent.maxRecordBytes + " (the job would send it to the dead-letter topic)");
        return;
      }
      sent.pace();
      producer.send(topic, id.getBytes(StandardCharsets.UTF_8), value);
      sent.sent(value.length);
    }
  }

  /** What was sent and refused, the rate limit and the progress line. */
  private static final class Sent {
    private static final long PROGRESS_NANOS = Duration.ofSeconds(5).toNanos();
    private static final int REASONS_SHOWN = 20;

    final PrintWriter err;
    private final double rate;
    private final long started = System.nanoTime();
    private long lastProgress = started;
    private final String topic;
    final int maxRecordBytes;
    long records;
    long bytes;
    long refused;

    Sent(PrintWriter err, double rate, String topic, int maxRecordBytes) {
      this.err = err;
      this.rate = rate;
      this.topic = topic;
      this.maxRecordBytes = maxRecordBytes;
    }

    /** Waits until the next record is due under --rate. */
    void pace() {
      if (rate == 0) {
        return;
      }
      long due = started + (long) (records / rate * 1e9);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while pacing to --rate", e);
        }
      }
    }

    void sent(int recordBytes) {
      records++;
      bytes += recordBytes;
      long now = System.nanoTime();
      if (now - lastProgress >= PROGRESS_NANOS) {
        lastProgress = now;
        err.printf("produce: %d records to %s (%.0f/s, %.1f MB/s), %d refused%n", records, topic,
            records / seconds(), bytes / 1e6 / seconds(), refused);
      }
    }

    void refuse(String id, String reason) {
      if (refused++ < REASONS_SHOWN) {
        err.printf("refused %s: %s%n", id, reason);
      }
    }

    void summary(PrintWriter out, JobConfig.Kafka kafka) {
      out.printf("produce: %d records written to %s at %s in %.1f s (%.0f records/s, %.2f MB/s"
              + " of %.1f MB), acknowledged by the broker; %d refused%s%n", records, topic,
          kafka.bootstrapServers(), seconds(), records / seconds(), bytes / 1e6 / seconds(),
          bytes / 1e6, refused,
          refused > REASONS_SHOWN ? " (the first " + REASONS_SHOWN + " listed above)"
              : refused > 0 ? " (listed above)" : "");
    }

    private double seconds() {
      return Math.max((System.nanoTime() - started) / 1e9, 1e-9);
    }
  }
}
