package dev.contraflow.kafka;

import dev.contraflow.avro.ImageEncoding;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.ImageSource;
import dev.contraflow.io.record.ImageRecords;
import dev.contraflow.io.record.RecordCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Writes the images of an {@link ImageSource} to an images topic one at a time, so a folder of
 * any size streams through a bounded amount of memory: the one image sender of {@code produce}
 * and {@code demo}. Files go as they are (PNG or JPEG bytes, decoded by the job at the model's
 * input size); an IDX source's images go as RAW pixels at the encoder's input, their labels,
 * where the source has them, as the {@code label} attribute (the learner never reads it;
 * {@code eval --images-topic} and the publish gates' probe do). A file larger than the job's
 * {@code limits.maxRecordBytes} is refused here, unread, and so is a record that encodes larger:
 * the job would only dead-letter them.
 *
 * @param producer where the records go
 * @param topic the images topic
 * @param codec the job's wire format for the topic
 * @param source the {@code source} field of every record
 * @param modelId the model that learns from them, or null for the job's default
 * @param ids how records are named (their id and key)
 * @param nonImages what becomes of a file whose first bytes are neither PNG nor JPEG
 * @param maxRecordBytes the job's {@code limits.maxRecordBytes}
 */
public record ImageFeed(RecordProducer producer, String topic, RecordCodec<ImageRecord> codec,
    String source, String modelId, Ids ids, NonImages nonImages, int maxRecordBytes) {

  /** How records are named. */
  public enum Ids {
    /** The 0-based position in the source, as {@link ImageSource} numbers its items. */
    POSITION,
    /** A file's name (an IDX record has no file: its position). */
    FILE_NAME
  }

  /** What becomes of a file whose first bytes are neither PNG nor JPEG. */
  public enum NonImages {
    /** Refused here, with the reason. */
    REFUSE,
    /**
     * Sent, encoding by the name's suffix, for the job to dead-letter with its decoder's reason:
     * the demo shows that path.
     */
    SEND
  }

  /** Told of every record as it goes. */
  public interface Listener {

    /** Before each send: a rate limit waits here. */
    default void sending() {}

    /**
     * @param image the IDX image sent, at the encoder's input; null for a file sent as it is
     * @param bytes the record's size on the wire
     */
    default void sent(String id, Image image, int bytes) {}

    /** @param item which image, for messages ("image 3 (photos/b.jpg)") */
    default void refused(String id, String item, String reason) {}
  }

  /**
   * What was sent and what was refused before it reached Kafka.
   *
   * @param sent records written to the topic
   * @param refused one line per image refused here: "image 3 (dir/x.png): reason"
   */
  public record Result(int sent, List<String> refused) {}

  /** Sends every image of {@code images}, telling {@code listener}, and flushes. */
  public Result send(ImageSource images, Optional<int[]> labels, Listener listener)
      throws IOException {
    Sending s = new Sending(listener);
    if (images.files().isEmpty()) {
      sendDecoded(images, labels, s);
    } else {
      sendFiles(images.files(), s);
    }
    producer.flush();
    return new Result(s.sent, s.refused);
  }

  private void sendDecoded(ImageSource images, Optional<int[]> labels, Sending s)
      throws IOException {
    try (Stream<ImageSource.Item> items = images.items()) {
      for (ImageSource.Item item : (Iterable<ImageSource.Item>) items::iterator) {
        if (!item.accepted()) {
          s.refuse(item.id(), item.describe(), item.refusal());
          continue;
        }
        ImageRecord r = ImageRecords.raw(item.image(), modelId, source, Instant.now());
        labels.ifPresent(l -> r.setAttributes(Map.of("label",
            Integer.toString(l[item.index()]))));
        send(item.id(), item.describe(), r, item.image(), s);
      }
    }
  }

  private void sendFiles(List<Path> files, Sending s) {
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      String id = ids == Ids.FILE_NAME ? file.getFileName().toString() : Integer.toString(i);
      String item = "image " + i + " (" + file + ")";
      FileBytes read = FileBytes.read(file, maxRecordBytes);
      if (read.refusal() != null) {
        s.refuse(id, item, read.refusal());
        continue;
      }
      byte[] bytes = read.bytes();
      Optional<ImageEncoding> encoding = ImageRecords.encodingOf(bytes);
      if (encoding.isEmpty() && nonImages == NonImages.REFUSE) {
        s.refuse(id, item, "neither PNG nor JPEG (by its first bytes)");
        continue;
      }
      send(id, item, ImageRecords.encoded(id, bytes, encoding.orElse(encodingByName(file)),
          modelId, source, Instant.now()), null, s);
    }
  }

  /**
   * A file's bytes, or why it cannot be a record: it is larger than the job's
   * {@code limits.maxRecordBytes} (then it is not read at all), or it cannot be read.
   *
   * @param bytes the content, or null when refused
   * @param refusal the reason, or null when read
   */
  public record FileBytes(byte[] bytes, String refusal) {

    public static FileBytes read(Path file, int maxRecordBytes) {
      try {
        long size = Files.size(file);
        if (size > maxRecordBytes) {
          return new FileBytes(null, "file of " + size + " bytes exceeds limits.maxRecordBytes = "
              + maxRecordBytes);
        }
        return new FileBytes(Files.readAllBytes(file), null);
      } catch (IOException e) {
        return new FileBytes(null, "cannot read " + file + ": " + e);
      }
    }
  }

  /** By the suffix; the job's decoder goes by the magic bytes, so a misnamed file still decodes. */
  private static ImageEncoding encodingByName(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".png") ? ImageEncoding.PNG : ImageEncoding.JPEG;
  }

  private void send(String id, String item, ImageRecord r, Image image, Sending s) {
    byte[] value = codec.encode(r);
    if (value.length > maxRecordBytes) {
      s.refuse(id, item, "record of " + value.length + " bytes exceeds limits.maxRecordBytes = "
          + maxRecordBytes + " (the job would send it to the dead-letter topic)");
      return;
    }
    s.listener.sending();
    producer.send(topic, id.getBytes(StandardCharsets.UTF_8), value);
    s.sent++;
    s.listener.sent(id, image, value.length);
  }

  /** The counts of one {@link #send}. */
  private static final class Sending {
    final Listener listener;
    final List<String> refused = new ArrayList<>();
    int sent;

    Sending(Listener listener) {
      this.listener = listener;
    }

    void refuse(String id, String item, String reason) {
      refused.add(item + ": " + reason);
      listener.refused(id, item, reason);
    }
  }
}
