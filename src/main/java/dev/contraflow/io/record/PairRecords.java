package dev.contraflow.io.record;

import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.InvalidImageException;
import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.io.text.TokenizedSentence;

import dev.contraflow.avro.PairRecord;
import java.time.Instant;
import java.util.Map;

/**
 * Builds {@link PairRecord}s for the pairs topic (CLIP's image-text records) and reads their two
 * halves back. The image and the caption are validated separately, each with its own reason, so a
 * bad pair becomes a dead letter that says which half was wrong.
 */
public final class PairRecords {

  private PairRecords() {}

  /**
   * The image as RAW 8-bit pixels ({@link ImageRecords#raw}) with its caption.
   *
   * @param modelId the model that learns from it, or null for the job's default model
   */
  public static PairRecord raw(String id, Image image, String caption, String modelId,
      String source, Instant eventTime) {
    return PairRecord.newBuilder()
        .setId(id)
        .setImage(ImageRecords.raw(image, modelId, source, eventTime))
        .setText(caption)
        .setModelId(modelId)
        .setSource(source)
        .setEventTime(eventTime)
        .setAttributes(Map.of())
        .build();
  }

  /** The pair's image, under the pair's id (the nested image record's id is not the record's). */
  public static Image image(PairRecord r, ImageDecoder decoder) throws InvalidImageException {
    Image image = ImageRecords.decode(r.getImage(), decoder);
    return new Image(r.getId(), image.channels(), image.height(), image.width(), image.pixels());
  }

  /** The pair's caption as tokens, under the pair's id. */
  public static TokenizedSentence caption(PairRecord r, SentenceTokenizer tokenizer)
      throws InvalidSentenceException {
    return tokenizer.tokenize(r.getId(), r.getText());
  }
}
