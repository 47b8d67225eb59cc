package dev.contraflow.learn;

import dev.contraflow.io.image.Image;
import dev.contraflow.io.text.TokenizedSentence;
import java.util.Objects;

/**
 * One image-text record (a PairRecord): an image and its caption, the positive pair of CLIP;
 * every other pair of a micro-batch supplies the negatives. To embed an image or a caption alone
 * into the shared space, a record may carry one side only ({@link #ofImage}, {@link #ofCaption});
 * training needs both.
 *
 * @param id the record's id
 * @param image the decoded image, or null for a caption alone
 * @param caption the tokenised caption, or null for an image alone
 */
public record PairExample(String id, Image image, TokenizedSentence caption) {

  public PairExample {
    Objects.requireNonNull(id, "id");
    if (image == null && caption == null) {
      throw new IllegalArgumentException("record " + id + " has neither an image nor a caption");
    }
  }

  /** An image alone, to embed into the shared space under its own id. */
  public static PairExample ofImage(Image image) {
    return new PairExample(image.id(), image, null);
  }

  /** A caption alone, to embed into the shared space under its own id. */
  public static PairExample ofCaption(TokenizedSentence caption) {
    return new PairExample(caption.id(), null, caption);
  }
}
