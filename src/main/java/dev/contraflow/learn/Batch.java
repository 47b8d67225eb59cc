package dev.contraflow.learn;

import dev.contraflow.io.Image;
import java.util.List;

/**
 * A micro-batch of records for one step. Any size >= 1 works (streams have ragged batches).
 *
 * @param images the records, in stream order
 * @param emitEmbeddings whether the step also embeds each record with the updated key encoder
 */
public record Batch(List<Image> images, boolean emitEmbeddings) {

  public Batch {
    if (images == null || images.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one record");
    }
    images = List.copyOf(images);
  }

  public static Batch of(List<Image> images) {
    return new Batch(images, true);
  }

  public static Batch trainingOnly(List<Image> images) {
    return new Batch(images, false);
  }

  public int size() {
    return images.size();
  }
}
