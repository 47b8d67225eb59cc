package dev.contraflow.kafka;

import dev.contraflow.avro.ImageEncoding;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.ImageSource;
import dev.contraflow.io.record.ImageRecords;
import dev.contraflow.io.record.RecordCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Writes the images of an {@link ImageSource} to the images topic one at a time, so a folder of
 * any size streams through a bounded amount of memory. Files go as they are (PNG or JPEG bytes,
 * decoded by the job at the model's input size, where a bad one becomes a dead letter); an IDX
 * source's images go as RAW pixels at the encoder's input. Record keys and ids are the images'
 * 0-based positions; labels, where the source has them, ride along as the {@code label}
 * attribute (the learner never reads it; {@code eval --images-topic} does).
 *
 * @param producer where the records go
 * @param topic the images topic
 * @param source the {@code source} field of every record
 * @param maxRecordBytes a larger file is refused here, with its reason, instead of sent
 */
public record ImageFeed(RecordProducer producer, String topic, String source,
    int maxRecordBytes) {

  private static final RecordCodec<ImageRecord> CODEC = RecordCodec.singleObject(ImageRecord.class);

  /**
   * What was sent and what was refused before it reached Kafka.
   *
   * @param sent records written to the topic
   * @param refused one line per image refused here: "image 3 (dir/x.png): reason"
   */
  public record Result(int sent, List<String> refused) {}

  /**
   * Sends every image of {@code images} and flushes.
   *
   * @param onSent told of each IDX image sent, at the encoder's input (files are sent undecoded)
   */
  public Result send(ImageSource images, Optional<int[]> labels, Consumer<Image> onSent)
      throws IOException {
    List<String> refused = new ArrayList<>();
    int sent = images.files().isEmpty()
        ? sendDecoded(images, labels, onSent, refused)
        : sendFiles(images.files(), refused);
    producer.flush();
    return new Result(sent, refused);
  }

  private int sendDecoded(ImageSource images, Optional<int[]> labels, Consumer<Image> onSent,
      List<String> refused) throws IOException {
    int sent = 0;
    try (Stream<ImageSource.Item> items = images.items()) {
      for (ImageSource.Item item : (Iterable<ImageSource.Item>) items::iterator) {
        if (!item.accepted()) {
          refused.add(item.describe() + ": " + item.refusal());
          continue;
        }
        ImageRecord r = ImageRecords.raw(item.image(), null, source, Instant.now());
        labels.ifPresent(l -> r.setAttributes(Map.of("label",
            Integer.toString(l[item.index()]))));
        send(item.id(), r);
        onSent.accept(item.image());
        sent++;
      }
    }
    return sent;
  }

  private int sendFiles(List<Path> files, List<String> refused) throws IOException {
    int sent = 0;
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      long size = Files.size(file);
      if (size > maxRecordBytes) {
        refused.add("image " + i + " (" + file + "): file of " + size + " bytes exceeds"
            + " limits.maxRecordBytes = " + maxRecordBytes);
        continue;
      }
      String id = Integer.toString(i);
      send(id, ImageRecord.newBuilder()
          .setId(id)
          .setEncoding(encodingOf(file))
          .setBytes(ByteBuffer.wrap(Files.readAllBytes(file)))
          .setSource(source)
          .setEventTime(Instant.now())
          .setAttributes(Map.of())
          .build());
      sent++;
    }
    return sent;
  }

  /** By the name; the job's decoder goes by the magic bytes, so a misnamed file still decodes. */
  private static ImageEncoding encodingOf(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".png") ? ImageEncoding.PNG : ImageEncoding.JPEG;
  }

  private void send(String id, ImageRecord r) {
    producer.send(topic, id.getBytes(StandardCharsets.UTF_8), CODEC.encode(r));
  }
}
