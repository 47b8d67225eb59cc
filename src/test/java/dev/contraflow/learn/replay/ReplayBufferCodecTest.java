package dev.contraflow.learn.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.augment.Rng;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.text.TokenizedSentence;
import dev.contraflow.learn.PairExample;
import dev.contraflow.learn.SentenceExample;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayBufferCodecTest {

  private static final ReplayBufferCodec.ItemCodec<String> STRINGS =
      new ReplayBufferCodec.ItemCodec<>() {
        @Override
        public void write(DataOutput out, String item) throws IOException {
          out.writeUTF(item);
        }

        @Override
        public String read(DataInput in, int version) throws IOException {
          return in.readUTF();
        }
      };

  private static <T> byte[] bytes(ReplayBuffer<T> b, ReplayBufferCodec.ItemCodec<T> codec)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataOutputStream data = new DataOutputStream(out)) {
      ReplayBufferCodec.write(data, b, codec);
    }
    return out.toByteArray();
  }

  private static <T> ReplayBuffer<T> read(byte[] bytes, ReplayBufferCodec.ItemCodec<T> codec)
      throws IOException {
    return ReplayBufferCodec.read(new DataInputStream(new ByteArrayInputStream(bytes)), codec);
  }

  @Test
  void everyPolicysBufferRoundTripsBitIdentically() throws IOException {
    for (ReplayPolicy policy : ReplayPolicy.values()) {
      ReplayBuffer<String> b = ReplayBufferTest.run(policy, new Rng(8));
      byte[] once = bytes(b, STRINGS);
      ReplayBuffer<String> restored = read(once, STRINGS);
      assertTrue(restored.sameAs(b, String::equals), policy + "");
      assertArrayEquals(once, bytes(restored, STRINGS), policy + "");
    }
  }

  @Test
  void aRestoredBufferEvolvesExactlyAsTheOriginal() throws IOException {
    for (ReplayPolicy policy : ReplayPolicy.values()) {
      ReplayBuffer<String> b = ReplayBufferTest.run(policy, new Rng(8));
      ReplayBuffer<String> restored = read(bytes(b, STRINGS), STRINGS);
      ReplayConfig c = new ReplayConfig(20, 1000, policy, 1, 0.5);
      List<float[]> f = List.of(new float[] {1, 2, 3, 4, 5, 6}, new float[] {-1, 0, 2, 0, 1, 1});
      ReplayBuffer<String> next = b.offer(List.of("n1", "n2"), f, c, String::length, new Rng(3));
      ReplayBuffer<String> nextRestored =
          restored.offer(List.of("n1", "n2"), f, c, String::length, new Rng(3));
      assertTrue(next.sameAs(nextRestored, String::equals), policy + "");
    }
  }

  @Test
  void imagesRoundTripWithTheirPixelsBitIdentical() throws IOException {
    List<Image> images = new ArrayList<>();
    Rng rng = new Rng(4);
    for (int i = 0; i < 6; i++) {
      float[] px = new float[3 * 4 * 5];
      for (int j = 0; j < px.length; j++) {
        px[j] = rng.nextFloat();
      }
      px[0] = i == 0 ? -0.0f : px[0]; // signed zero survives too
      images.add(new Image("img-" + i, 3, 4, 5, px));
    }
    ReplayBuffer<Image> b = ReplayBuffer.<Image>empty().offer(images, List.of(),
        new ReplayConfig(4, 1 << 20, ReplayPolicy.FIFO, 1, 0.5), ReplayInputs::imageBytes,
        new Rng(0));
    ReplayBufferCodec.ItemCodec<Image> codec = ReplayInputs.IMAGES.codec();
    ReplayBuffer<Image> restored = read(bytes(b, codec), codec);
    assertTrue(restored.sameAs(b, (x, y) -> x.id().equals(y.id())
        && x.channels() == y.channels() && x.height() == y.height() && x.width() == y.width()
        && Arrays.equals(x.pixels(), y.pixels())));
    assertEquals(-0.0f, read(bytes(ReplayBuffer.<Image>empty().offer(images.subList(0, 1),
        List.of(), new ReplayConfig(4, 1 << 20, ReplayPolicy.FIFO, 1, 0.5),
        ReplayInputs::imageBytes, new Rng(0)), codec), codec)
        .items().get(0).pixels()[0]);
    assertEquals(b.bytes(), restored.bytes());
  }

  /** Images of 8-bit levels (as Fashion-MNIST's): two x 784 pixels. */
  private static ReplayBuffer<Image> eightBitImages() {
    List<Image> images = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      float[] px = new float[28 * 28];
      for (int j = 0; j < px.length; j++) {
        px[j] = ((j * 7 + i) % 256) / 255f;
      }
      images.add(new Image("level-" + i, 1, 28, 28, px));
    }
    return ReplayBuffer.<Image>empty().offer(images, List.of(),
        new ReplayConfig(4, 1 << 20, ReplayPolicy.FIFO, 1, 0.5), ReplayInputs::imageBytes,
        new Rng(0));
  }

  @Test
  void imagesOfEightBitLevelsAreWrittenAsBytesAndReadBackBitIdentical() throws IOException {
    ReplayBuffer<Image> b = eightBitImages();
    ReplayBufferCodec.ItemCodec<Image> codec = ReplayInputs.IMAGES.codec();
    byte[] written = bytes(b, codec);
    // one byte per pixel, not four, plus a few dozen bytes of bookkeeping per entry
    assertTrue(written.length < 2 * (28 * 28 + 64), "" + written.length);
    ReplayBuffer<Image> restored = read(written, codec);
    for (int i = 0; i < b.size(); i++) {
      assertArrayEquals(b.items().get(i).pixels(), restored.items().get(i).pixels());
    }
    assertArrayEquals(written, bytes(restored, codec));
  }

  @Test
  void aVersionOneBufferOfImagesStillReads() throws IOException {
    // the first layout, written by hand: every pixel by its raw bits, no flag before them
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(ReplayBufferCodec.VERSION_1);
      out.writeLong(1); // offered
      out.writeInt(1); // entries
      out.writeLong(0); // arrival
      out.writeLong(ReplayInputs.imageBytes(new Image("old", 1, 1, 2, new float[2])));
      out.writeInt(Float.floatToRawIntBits(Float.NaN));
      out.writeInt(-1);
      out.writeInt(0); // no feature
      out.writeUTF("old");
      out.writeByte(1);
      out.writeInt(1);
      out.writeInt(2);
      out.writeInt(Float.floatToRawIntBits(0.25f));
      out.writeInt(Float.floatToRawIntBits(1f / 255f));
    }
    ReplayBuffer<Image> restored = read(bytes.toByteArray(), ReplayInputs.IMAGES.codec());
    assertEquals("old", restored.items().get(0).id());
    assertArrayEquals(new float[] {0.25f, 1f / 255f}, restored.items().get(0).pixels());
  }

  private static TokenizedSentence sentence(String id, int... words) {
    int[][] tokens = new int[words.length][];
    for (int t = 0; t < words.length; t++) {
      tokens[t] = new int[] {words[t], words[t] + 1, words[t] + 2};
    }
    return new TokenizedSentence(id, tokens);
  }

  private static boolean sameSentence(TokenizedSentence a, TokenizedSentence b) {
    return a == null ? b == null
        : b != null && a.id().equals(b.id()) && Arrays.deepEquals(a.tokens(), b.tokens());
  }

  /** Unsupervised and supervised records (a positive, a positive and a hard negative). */
  @Test
  void sentenceRecordsRoundTripWithEveryOptionalSentence() throws IOException {
    List<SentenceExample> records = List.of(
        SentenceExample.of(sentence("a", 1, 2, 3)),
        new SentenceExample(sentence("b", 4), sentence("b+", 5, 6), null),
        new SentenceExample(sentence("c", 7, 8), sentence("c+", 9), sentence("c-", 10, 11)));
    ReplayInputs<SentenceExample> inputs = ReplayInputs.SENTENCES;
    ReplayBuffer<SentenceExample> b = ReplayBuffer.<SentenceExample>empty().offer(records,
        List.of(), new ReplayConfig(4, 1 << 20, ReplayPolicy.FIFO, 1, 0.5), inputs.sizeOf(),
        new Rng(0));
    byte[] once = bytes(b, inputs.codec());
    ReplayBuffer<SentenceExample> restored = read(once, inputs.codec());
    assertTrue(restored.sameAs(b, (x, y) -> sameSentence(x.sentence(), y.sentence())
        && sameSentence(x.positive(), y.positive())
        && sameSentence(x.hardNegative(), y.hardNegative())));
    assertArrayEquals(once, bytes(restored, inputs.codec()));
  }

  @Test
  void pairsRoundTripWithTheirImageAndCaption() throws IOException {
    float[] px = {0.25f, -0.0f, 1f, 0.5f};
    List<PairExample> records = List.of(
        new PairExample("p0", new Image("p0", 1, 2, 2, px), sentence("p0", 3, 4)),
        new PairExample("p1", new Image("p1", 1, 2, 2, px.clone()), sentence("p1", 5)));
    ReplayInputs<PairExample> inputs = ReplayInputs.PAIRS;
    ReplayBuffer<PairExample> b = ReplayBuffer.<PairExample>empty().offer(records, List.of(),
        new ReplayConfig(4, 1 << 20, ReplayPolicy.FIFO, 1, 0.5), inputs.sizeOf(), new Rng(0));
    byte[] once = bytes(b, inputs.codec());
    ReplayBuffer<PairExample> restored = read(once, inputs.codec());
    assertTrue(restored.sameAs(b, (x, y) -> x.id().equals(y.id())
        && Arrays.equals(x.image().pixels(), y.image().pixels())
        && sameSentence(x.caption(), y.caption())));
    assertArrayEquals(once, bytes(restored, inputs.codec()));
  }

  @Test
  void aBufferOfUnknownRecordsIsRefusedByName() {
    IOException e = assertThrows(IOException.class, () -> ReplayInputs.named("videos"));
    assertTrue(e.getMessage().contains("'videos'"), e.getMessage());
  }

  @Test
  void anUnknownVersionIsRefusedWithAMessage() throws IOException {
    byte[] data = bytes(ReplayBufferTest.run(ReplayPolicy.FIFO, new Rng(1)), STRINGS);
    data[3] = 9;
    IOException e = assertThrows(IOException.class, () -> read(data, STRINGS));
    assertTrue(e.getMessage().contains("version 9"), e.getMessage());
  }
}
