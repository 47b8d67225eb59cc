package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.contrast.LogitScale;
import dev.contraflow.contrast.NegativeQueue;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one learner frame: every modality's state has one shape, one codec and named networks. */
class LearnerFrameTest {

  @Test
  void everyModalityRoundTripsThroughTheOneCodec() throws Exception {
    List<LearnerState> states = List.of(
        Learner.images(TinyImages.config()).step(Learner.images(TinyImages.config())
            .initialState(), Batch.trainingOnly(TinyImages.images(6, 1))).state(),
        Learner.sentences(TinySentences.config(Method.ESIMCSE, 7)).initialState(),
        Learner.pairs(TinyPairs.config()).initialState());
    for (LearnerState s : states) {
      byte[] bytes = LearnerStateCodec.toBytes(s);
      assertArrayEquals(bytes, LearnerStateCodec.toBytes(LearnerStateCodec.fromBytes(bytes)),
          s.networks().keySet().toString());
    }
  }

  @Test
  void aStateOfAnotherModalityIsRefusedWithTheNetworksThatDiffer() {
    LearnerState clip = Learner.pairs(TinyPairs.config()).initialState();
    Learner<SentenceExample> sentences = Learner.sentences(TinySentences.config(Method.SIMCSE, 0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> sentences.step(clip, Batch.of(TinySentences.examples(2))));
    assertTrue(e.getMessage().contains("[online, text]")
        && e.getMessage().contains("[online, momentum]"), e.getMessage());
  }

  @Test
  void anImageOrSentenceStateOfTheFormatBeforeTheFrameReadsAsNamedNetworks() throws Exception {
    NegativeQueue queue = NegativeQueue.empty(3, 2);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(LearnerStateCodec.MAGIC);
      out.writeInt(1);
      out.writeLong(5); // step
      out.writeLong(9); // RNG
      floats(out, 1f, 2f); // online parameters
      floats(out, 3f); // optimiser state
      floats(out); // no momentum encoder (SimCLR)
      out.writeInt(queue.capacity());
      out.writeInt(queue.dim());
      out.writeInt(queue.writePosition());
      out.writeInt(queue.fill());
      floats(out, queue.keys());
      longs(out, queue.idHashes());
      longs(out, queue.enqueuedAt());
    }
    LearnerState s = LearnerStateCodec.fromBytes(bytes.toByteArray());
    assertEquals(5, s.step());
    assertEquals(9, s.rngState());
    assertEquals(List.of(LearnerState.ONLINE), List.copyOf(s.networks().keySet()),
        "an empty momentum vector is no momentum network");
    assertArrayEquals(new float[] {1f, 2f}, s.encoderParams());
    assertArrayEquals(new float[] {3f}, s.network(LearnerState.ONLINE).updaterState());
    assertEquals(3, s.queue().capacity());
    assertNull(s.logitScale());
  }

  @Test
  void aClipStateOfTheFormatBeforeTheFrameReadsAsTheImageAndTextTowers() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(0x43465053); // "CFPS"
      out.writeInt(1);
      out.writeLong(2);
      out.writeLong(4);
      floats(out, 1f); // image tower
      floats(out, 2f);
      floats(out, 3f); // text tower
      floats(out, 4f);
      out.writeDouble(1.5);
      out.writeDouble(0.1);
      out.writeDouble(0.2);
    }
    LearnerState s = LearnerStateCodec.fromBytes(bytes.toByteArray());
    assertEquals(List.of(LearnerState.ONLINE, LearnerState.TEXT),
        List.copyOf(s.networks().keySet()));
    assertArrayEquals(new float[] {3f}, s.network(LearnerState.TEXT).params());
    assertArrayEquals(new float[] {2f}, s.network(LearnerState.ONLINE).updaterState());
    assertEquals(new LogitScale(1.5, 0.1, 0.2), s.logitScale());
    assertNull(s.queue(), "CLIP has no queue");
  }

  private static void floats(DataOutputStream out, float... values) throws IOException {
    out.writeInt(values.length);
    for (float v : values) {
      out.writeFloat(v);
    }
  }

  private static void longs(DataOutputStream out, long... values) throws IOException {
    out.writeInt(values.length);
    for (long v : values) {
      out.writeLong(v);
    }
  }
}
