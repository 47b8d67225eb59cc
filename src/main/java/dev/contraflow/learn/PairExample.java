package dev.contraflow.learn;

import dev.contraflow.io.Image;
import dev.contraflow.io.TokenizedSentence;
import java.util.Objects;

/**
 * One image-text record of a micro-batch (a PairRecord): an image and its caption, the positive
 * pair of CLIP; every other pair of the batch supplies the negatives.
 *
 * @param id the record's id
 * @param image the decoded image
 * @param caption the tokenised caption
 */
public record PairExample(String id, Image image, TokenizedSentence caption) {

  public PairExample {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(caption, "caption");
  }
}
