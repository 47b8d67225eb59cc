package dev.contraflow.kafka;

import dev.contraflow.avro.ImageRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.InvalidImageException;
import dev.contraflow.io.image.LabelledImages;
import dev.contraflow.io.record.ImageRecords;
import dev.contraflow.io.record.RecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The labelled ImageRecords of a topic's time range - those whose {@code label} attribute is a
 * class number, as {@code contraflow produce} writes them beside IDX labels - decoded to an
 * encoder's input, in partition and offset order.
 *
 * @param images what was read
 * @param unlabelled records skipped for want of a {@code label} attribute
 * @param undecodable records skipped because their image could not be decoded
 */
public record LabelledImageTopic(LabelledImages images, int unlabelled, int undecodable) {

  /** The first {@code limit} labelled images (0: all) of {@code topic} in {@code range}. */
  public static LabelledImageTopic read(String bootstrapServers, String topic, TimeRange range,
      RecordCodec<ImageRecord> codec, Map<String, String> clientProperties,
      ImageDecoder decoder, int limit, Duration timeout) {
    List<Image> images = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    int unlabelled = 0;
    int undecodable = 0;
    for (ImageRecord r : TopicSnapshot.read(bootstrapServers, topic, range, codec,
        clientProperties, timeout)) {
      String label = r.getAttributes().get("label");
      if (label == null || !label.matches("\\d{1,9}")) {
        unlabelled++;
        continue;
      }
      try {
        images.add(ImageRecords.decode(r, decoder));
      } catch (InvalidImageException e) {
        undecodable++;
        continue;
      }
      labels.add(Integer.parseInt(label));
      if (limit > 0 && images.size() >= limit) {
        break;
      }
    }
    return new LabelledImageTopic(new LabelledImages(images,
        labels.stream().mapToInt(Integer::intValue).toArray()), unlabelled, undecodable);
  }
}
