package dev.contraflow.job.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.ImageEncoding;
import dev.contraflow.avro.PairRecord;
import dev.contraflow.io.image.EncodedImages;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.record.PairRecords;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.source.KafkaInput;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PairRecordDecoderTest {

  private final JobConfig config = JobConfigLoader.defaults(List.of());
  private final RecordCodec<PairRecord> codec = RecordCodec.singleObject(PairRecord.class);
  private final PairRecordDecoder decoder = new PairRecordDecoder(config);
  /** At the models' input size (28 x 28 by default), so it arrives as it was sent. */
  private final Image grey = new Image("x", 1, 28, 28, levels(28 * 28));

  @Test
  void pairBecomesPairInputUnderThePairsIdWithTheDefaultClipModel() throws Exception {
    PairInput in = decoder.decode(input(codec.encode(PairRecords.raw("p-1", grey,
        "a grey square", null, "test", Instant.ofEpochMilli(5)))));
    assertEquals("p-1", in.id);
    assertEquals("default-clip", in.modelId);
    assertEquals("a grey square", in.caption);
    assertArrayEquals(grey.pixels(), in.pixels, 1f / 255, "8-bit pixels on the wire");
    assertEquals(5, in.eventTime);
    assertEquals("pairs", in.sourceTopic);
  }

  @Test
  void aBadHalfIsNamedInTheReason() {
    PairRecord good = PairRecords.raw("p", grey, "fine", null, "test", Instant.EPOCH);
    Map<String, byte[]> bad = new LinkedHashMap<>();
    bad.put("pair p, caption: sentence p: empty text", codec.encode(
        PairRecord.newBuilder(good).setText("").build()));
    PairRecord truncated = PairRecord.newBuilder(good).build();
    truncated.getImage().setEncoding(ImageEncoding.PNG);
    truncated.getImage().setBytes(ByteBuffer.wrap(EncodedImages.greyPng(4, 4), 0, 20));
    bad.put("pair p, image: ", codec.encode(truncated));
    bad.put("PairRecord without an id", codec.encode(PairRecord.newBuilder(good).setId("")
        .build()));
    bad.put("not a PairRecord", new byte[] {9, 9, 9});
    bad.forEach((reason, value) -> {
      var e = assertThrows(RecordDecoder.Rejected.class, () -> decoder.decode(input(value)),
          reason);
      assertTrue(e.getMessage().startsWith(reason), reason + " <- " + e.getMessage());
    });
  }

  private static float[] levels(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i % 5) / 4f;
    }
    return v;
  }

  private static KafkaInput input(byte[] value) {
    return new KafkaInput("pairs", 0, 42, 99, null, value);
  }
}
