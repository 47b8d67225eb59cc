package dev.contraflow.job.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.ImageRecord;
import dev.contraflow.avro.SentenceRecord;
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

class SentenceRecordDecoderTest {

  private final JobConfig config = JobConfigLoader.defaults(List.of(
      "sentenceLearner.tokenizer.maxChars=200"));
  private final RecordCodec<SentenceRecord> codec = RecordCodec.singleObject(SentenceRecord.class);
  private final SentenceRecordDecoder decoder = new SentenceRecordDecoder(config);

  private static SentenceRecord.Builder sentence(String id, String text) {
    return SentenceRecord.newBuilder().setId(id).setText(text)
        .setEventTime(Instant.ofEpochMilli(7));
  }

  @Test
  void sentenceRecordBecomesSentenceInputWithItsCoordinates() throws Exception {
    SentenceInput in = decoder.decode(input(codec.encode(
        sentence("q-1", "A man is playing a guitar.").setModelId("captions").build())));
    assertEquals("q-1", in.id);
    assertEquals("captions", in.modelId);
    assertEquals("A man is playing a guitar.", in.text);
    assertNull(in.positive);
    assertEquals("sentences", in.sourceTopic);
    assertEquals(42, in.sourceOffset);
    assertEquals(7, in.eventTime);
  }

  @Test
  void recordWithoutModelIdTrainsTheDefaultSentenceModelAndKeepsItsPair() throws Exception {
    SentenceInput in = decoder.decode(input(codec.encode(sentence("p", "A dog runs.")
        .setPositive("An animal is moving.").setHardNegative("The dog sleeps.").build())));
    assertEquals("default-text", in.modelId);
    assertEquals("An animal is moving.", in.positive);
    assertEquals("The dog sleeps.", in.hardNegative);
  }

  @Test
  void sequenceAndPositionAttributesPlaceTheSentenceInItsDocument() throws Exception {
    SentenceInput in = decoder.decode(input(codec.encode(sentence("e-12", "Emma laughed.")
        .setAttributes(Map.of("sequence", "emma", "position", "12")).build())));
    assertEquals("emma", in.sequence);
    assertEquals(12, in.position);
    SentenceInput plain = decoder.decode(input(codec.encode(sentence("x", "Hello.").build())));
    assertNull(plain.sequence);
    assertEquals(-1, plain.position, "no position: the next one of its sequence");
  }

  @Test
  void everyKindOfBadSentenceIsRejectedWithAReasonThatNamesTheProblem() {
    String longText = "word ".repeat(100);
    Map<String, byte[]> bad = new LinkedHashMap<>();
    bad.put("empty record", new byte[0]);
    bad.put("not a SentenceRecord", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    bad.put("not a SentenceRecord: ", RecordCodec.singleObject(ImageRecord.class).encode(
        ImageRecord.newBuilder().setId("img").setBytes(ByteBuffer.wrap(new byte[] {1}))
            .setEventTime(Instant.EPOCH).build()));
    bad.put("SentenceRecord without an id", codec.encode(sentence(" ", "text").build()));
    bad.put("empty", codec.encode(sentence("e", " \t ").build()));
    bad.put("500 characters", codec.encode(sentence("l", longText).build()));
    bad.put("e#positive", codec.encode(sentence("e", "fine").setPositive("").build()));
    bad.put("hardNegative but no positive", codec.encode(sentence("h", "fine")
        .setHardNegative("not fine").build()));
    bad.put("attribute position 'twelve'", codec.encode(sentence("p", "fine")
        .setAttributes(Map.of("sequence", "emma", "position", "twelve")).build()));
    bad.put("attribute position '-3'", codec.encode(sentence("p", "fine")
        .setAttributes(Map.of("position", "-3")).build()));
    bad.forEach((reason, value) -> {
      var e = assertThrows(RecordDecoder.Rejected.class, () -> decoder.decode(input(value)),
          reason);
      assertTrue(e.getMessage().contains(reason), reason + ": " + e.getMessage());
    });
  }

  private static KafkaInput input(byte[] value) {
    return new KafkaInput("sentences", 0, 42, 99, null, value);
  }
}
