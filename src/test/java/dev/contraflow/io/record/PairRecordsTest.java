package dev.contraflow.io.record;

import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.EncoderInput;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.io.text.TokenizedSentence;
import dev.contraflow.io.text.TokenizerConfig;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.PairRecord;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PairRecordsTest {

  private final SentenceTokenizer tokenizer = new SentenceTokenizer(TokenizerConfig.defaults());

  @Test
  void aPairSurvivesTheWireWithItsImageAndCaption() throws Exception {
    float[] px = new float[4 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = i / 11f; // RAW keeps 8 bits: each value comes back within half a level
    }
    Image image = new Image("ignored", 1, 4, 3, px);
    PairRecord sent = PairRecords.raw("pair-7", image, "a grey square", null, "test",
        Instant.EPOCH);
    RecordCodec<PairRecord> codec = RecordCodec.singleObject(PairRecord.class);
    PairRecord received = codec.decode(codec.encode(sent));

    Image back = PairRecords.image(received, new ImageDecoder(EncoderInput.of(1, 4, 3)));
    assertEquals("pair-7", back.id());
    assertEquals(3, back.width());
    assertEquals(4, back.height());
    for (int i = 0; i < px.length; i++) {
      assertEquals(px[i], back.pixels()[i], 0.5 / 255 + 1e-6);
    }
    TokenizedSentence caption = PairRecords.caption(received, tokenizer);
    assertEquals("pair-7", caption.id());
    assertArrayEquals(tokenizer.tokenize("x", "a grey square").tokens(), caption.tokens());
  }

  @Test
  void anEmptyCaptionIsRefusedWithItsReason() {
    PairRecord r = PairRecords.raw("p", new Image("p", 1, 2, 2, new float[4]), "  ", null, "t",
        Instant.EPOCH);
    InvalidSentenceException e = assertThrows(InvalidSentenceException.class,
        () -> PairRecords.caption(r, tokenizer));
    assertTrue(e.reason().contains("empty text"), e.reason());
  }
}
