package dev.contraflow.learn.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.augment.Rng;
import dev.contraflow.io.Image;
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
        public String read(DataInput in) throws IOException {
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
    ReplayBuffer<Image> restored = read(bytes(b, ReplayInputs.IMAGES), ReplayInputs.IMAGES);
    assertTrue(restored.sameAs(b, (x, y) -> x.id().equals(y.id())
        && x.channels() == y.channels() && x.height() == y.height() && x.width() == y.width()
        && Arrays.equals(x.pixels(), y.pixels())));
    assertEquals(-0.0f, read(bytes(ReplayBuffer.<Image>empty().offer(images.subList(0, 1),
        List.of(), new ReplayConfig(4, 1 << 20, ReplayPolicy.FIFO, 1, 0.5),
        ReplayInputs::imageBytes, new Rng(0)), ReplayInputs.IMAGES), ReplayInputs.IMAGES)
        .items().get(0).pixels()[0]);
    assertEquals(b.bytes(), restored.bytes());
  }

  @Test
  void anUnknownVersionIsRefusedWithAMessage() throws IOException {
    byte[] data = bytes(ReplayBufferTest.run(ReplayPolicy.FIFO, new Rng(1)), STRINGS);
    data[3] = 9;
    IOException e = assertThrows(IOException.class, () -> read(data, STRINGS));
    assertTrue(e.getMessage().contains("version 9"), e.getMessage());
  }
}
