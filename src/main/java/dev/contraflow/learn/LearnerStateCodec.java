package dev.contraflow.learn;

import dev.contraflow.contrast.LogitScale;
import dev.contraflow.contrast.NegativeQueue;
import dev.contraflow.learn.replay.ReplayBuffer;
import dev.contraflow.learn.replay.ReplayBufferCodec;
import dev.contraflow.learn.replay.ReplayInputs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link LearnerState} to bytes and back, exactly (bit-identical floats and doubles), for every
 * modality.
 *
 * <p>Layout of version 4 (big-endian): magic "CFLS", format version, step, RNG state, the number
 * of networks, then each network's name (modified UTF-8), parameters and optimiser state; a flag
 * and the queue (K, d, write position, fill, keys, id hashes, enqueue steps); a flag and the logit
 * scale (log scale, Adam's two moments as doubles); a flag and the replay buffer (the name of its
 * records' modality, {@link ReplayInputs#name}, then {@link ReplayBufferCodec}'s layout, then the
 * update credit as an int). An unknown version is refused with a message rather than misread.
 *
 * <p>Version 3 is version 4 without the update credit (it reads as credit 0); version 2 is
 * without the replay flag and buffer too (the one frame before replay) and reads as a state
 * without a buffer.
 *
 * <p>Reads the two layouts before the one learner frame (issue 12) too, so model files and
 * savepoints written by earlier builds load: version 1 "CFLS" (images, sentences: the online
 * encoder's parameters and optimiser state, the momentum encoder's parameters - empty for methods
 * without one - and the queue) and version 1 "CFPS" (CLIP: the image tower as {@code online}, the
 * text tower, the logit scale).
 */
public final class LearnerStateCodec {

  public static final int MAGIC = 0x43464c53; // "CFLS"
  /** The pre-frame CLIP state's magic, "CFPS"; read, never written. */
  static final int PAIR_MAGIC_V1 = 0x43465053;
  public static final int CURRENT_VERSION = 4;
  /** The one frame's layout before the replay buffer; still read. */
  static final int VERSION_WITHOUT_REPLAY = 2;
  /** The replay buffer without the update credit after it; still read (credit 0). */
  static final int VERSION_WITHOUT_CREDIT = 3;

  private LearnerStateCodec() {}

  public static byte[] toBytes(LearnerState s) {
    long floats = 0;
    for (LearnerState.Network n : s.networks().values()) {
      floats += n.params().length + n.updaterState().length;
    }
    NegativeQueue q = s.queue();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8,
        128 + 4 * floats + (q == null ? 0 : 20L * q.capacity() * (q.dim() + 4))
            + (s.replay() == null ? 0 : s.replay().buffer().bytes())));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(CURRENT_VERSION);
      out.writeLong(s.step());
      out.writeLong(s.rngState());
      out.writeInt(s.networks().size());
      for (Map.Entry<String, LearnerState.Network> e : s.networks().entrySet()) {
        out.writeUTF(e.getKey());
        writeFloats(out, e.getValue().params());
        writeFloats(out, e.getValue().updaterState());
      }
      out.writeBoolean(q != null);
      if (q != null) {
        writeQueue(out, q);
      }
      LogitScale scale = s.logitScale();
      out.writeBoolean(scale != null);
      if (scale != null) {
        out.writeDouble(scale.logScale());
        out.writeDouble(scale.firstMoment());
        out.writeDouble(scale.secondMoment());
      }
      out.writeBoolean(s.replay() != null);
      if (s.replay() != null) {
        writeReplay(out, s.replay());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in-memory stream: cannot happen
    }
    return bytes.toByteArray();
  }

  /** @throws IOException if the bytes are not a learner state of a known version */
  public static LearnerState fromBytes(byte[] data) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
    try {
      int magic = in.readInt();
      int version = in.readInt();
      if (magic == PAIR_MAGIC_V1) {
        return readPairV1(in, version);
      }
      if (magic != MAGIC) {
        throw new IOException("not a contraflow learner state (bad magic)");
      }
      return switch (version) {
        case 1 -> readV1(in);
        case VERSION_WITHOUT_REPLAY, VERSION_WITHOUT_CREDIT, CURRENT_VERSION ->
            readNamed(in, version);
        default -> throw new IOException("learner state format version " + version
            + " is not supported (this build reads versions 1 to " + CURRENT_VERSION + ")");
      };
    } catch (java.io.EOFException e) {
      throw new IOException("learner state is truncated", e);
    } catch (IllegalArgumentException e) {
      throw new IOException("learner state is inconsistent: " + e.getMessage(), e);
    }
  }

  /**
   * Versions 2 to 4: networks by name; version 3 adds the replay buffer, version 4 its update
   * credit.
   */
  private static LearnerState readNamed(DataInputStream in, int version) throws IOException {
    long step = in.readLong();
    long rng = in.readLong();
    int count = in.readInt();
    if (count < 1 || count > 64) {
      throw new IOException("learner state is corrupt (" + count + " networks)");
    }
    Map<String, LearnerState.Network> networks = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      networks.put(in.readUTF(), new LearnerState.Network(readFloats(in), readFloats(in)));
    }
    NegativeQueue queue = in.readBoolean() ? readQueue(in) : null;
    LogitScale scale = in.readBoolean()
        ? new LogitScale(in.readDouble(), in.readDouble(), in.readDouble()) : null;
    LearnerState.Replay<?> replay = version > VERSION_WITHOUT_REPLAY && in.readBoolean()
        ? readReplay(in, ReplayInputs.named(in.readUTF()), version) : null;
    return new LearnerState(step, rng, networks, queue, scale, replay);
  }

  /** An image or sentence learner's state as builds before the one frame wrote it. */
  private static LearnerState readV1(DataInputStream in) throws IOException {
    long step = in.readLong();
    long rng = in.readLong();
    float[] params = readFloats(in);
    float[] updater = readFloats(in);
    float[] momentum = readFloats(in);
    Map<String, LearnerState.Network> networks = new LinkedHashMap<>();
    networks.put(LearnerState.ONLINE, new LearnerState.Network(params, updater));
    if (momentum.length > 0) { // methods without a momentum encoder wrote an empty vector
      networks.put(LearnerState.MOMENTUM, new LearnerState.Network(momentum, new float[0]));
    }
    return new LearnerState(step, rng, networks, readQueue(in), null);
  }

  /** A CLIP learner's state as builds before the one frame wrote it ("CFPS" version 1). */
  private static LearnerState readPairV1(DataInputStream in, int version) throws IOException {
    if (version != 1) {
      throw new IOException("image-text learner state format version " + version
          + " is not supported (this build reads version 1)");
    }
    long step = in.readLong();
    long rng = in.readLong();
    Map<String, LearnerState.Network> networks = new LinkedHashMap<>();
    networks.put(LearnerState.ONLINE, new LearnerState.Network(readFloats(in), readFloats(in)));
    networks.put(LearnerState.TEXT, new LearnerState.Network(readFloats(in), readFloats(in)));
    LogitScale scale = new LogitScale(in.readDouble(), in.readDouble(), in.readDouble());
    return new LearnerState(step, rng, networks, null, scale);
  }

  private static <T> void writeReplay(DataOutputStream out, LearnerState.Replay<T> r)
      throws IOException {
    out.writeUTF(r.inputs().name());
    ReplayBufferCodec.write(out, r.buffer(), r.inputs().codec());
    out.writeInt(r.updateCredit());
  }

  private static <T> LearnerState.Replay<T> readReplay(DataInputStream in, ReplayInputs<T> inputs,
      int version) throws IOException {
    ReplayBuffer<T> buffer = ReplayBufferCodec.read(in, inputs.codec());
    int credit = version > VERSION_WITHOUT_CREDIT ? in.readInt() : 0;
    if (credit < 0) {
      throw new IOException("learner state is corrupt (update credit " + credit + ")");
    }
    return new LearnerState.Replay<>(inputs, buffer, credit);
  }

  private static void writeQueue(DataOutputStream out, NegativeQueue q) throws IOException {
    out.writeInt(q.capacity());
    out.writeInt(q.dim());
    out.writeInt(q.writePosition());
    out.writeInt(q.fill());
    writeFloats(out, q.keys());
    writeLongs(out, q.idHashes());
    writeLongs(out, q.enqueuedAt());
  }

  private static NegativeQueue readQueue(DataInputStream in) throws IOException {
    int capacity = in.readInt();
    int dim = in.readInt();
    int writePosition = in.readInt();
    int fill = in.readInt();
    return NegativeQueue.restore(capacity, dim, readFloats(in), readLongs(in), readLongs(in),
        writePosition, fill);
  }

  private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
    out.writeInt(values.length);
    ByteBuffer buf = ByteBuffer.allocate(4 * values.length);
    buf.asFloatBuffer().put(values);
    out.write(buf.array());
  }

  private static void writeLongs(DataOutputStream out, long[] values) throws IOException {
    out.writeInt(values.length);
    ByteBuffer buf = ByteBuffer.allocate(8 * values.length);
    buf.asLongBuffer().put(values);
    out.write(buf.array());
  }

  private static float[] readFloats(DataInputStream in) throws IOException {
    byte[] raw = new byte[4 * checkedLength(in.readInt(), in)];
    in.readFully(raw);
    float[] out = new float[raw.length / 4];
    ByteBuffer.wrap(raw).asFloatBuffer().get(out);
    return out;
  }

  private static long[] readLongs(DataInputStream in) throws IOException {
    byte[] raw = new byte[8 * checkedLength(in.readInt(), in)];
    in.readFully(raw);
    long[] out = new long[raw.length / 8];
    ByteBuffer.wrap(raw).asLongBuffer().get(out);
    return out;
  }

  private static int checkedLength(int n, DataInputStream in) throws IOException {
    if (n < 0 || n > in.available()) {
      throw new IOException("learner state is truncated or corrupt (array of " + n + " entries)");
    }
    return n;
  }
}
