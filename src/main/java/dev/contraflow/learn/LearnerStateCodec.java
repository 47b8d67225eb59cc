package dev.contraflow.learn;

import dev.contraflow.contrast.NegativeQueue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * {@link LearnerState} to bytes and back, exactly (bit-identical floats).
 *
 * <p>Layout (big-endian): magic "CFLS", format version, step, RNG state, the three float vectors,
 * then the queue (K, d, write position, fill, keys, id hashes, enqueue steps). An unknown version
 * is refused with a message rather than misread.
 *
 * <p>Every image method fits this layout unchanged (so version 1 still): a method without a
 * momentum encoder writes an empty momentum vector, and InstDisc's memory bank is the queue (one
 * feature, id hash and last-refresh step per entry).
 */
public final class LearnerStateCodec {

  public static final int MAGIC = 0x43464c53; // "CFLS"
  public static final int CURRENT_VERSION = 1;

  private LearnerStateCodec() {}

  public static byte[] toBytes(LearnerState s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(
        64 + 4 * (s.encoderParams().length + s.updaterState().length + s.momentumParams().length)
            + 20 * s.queue().capacity() * (s.queue().dim() + 4));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(CURRENT_VERSION);
      out.writeLong(s.step());
      out.writeLong(s.rngState());
      writeFloats(out, s.encoderParams());
      writeFloats(out, s.updaterState());
      writeFloats(out, s.momentumParams());
      NegativeQueue q = s.queue();
      out.writeInt(q.capacity());
      out.writeInt(q.dim());
      out.writeInt(q.writePosition());
      out.writeInt(q.fill());
      writeFloats(out, q.keys());
      writeLongs(out, q.idHashes());
      writeLongs(out, q.enqueuedAt());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in-memory stream: cannot happen
    }
    return bytes.toByteArray();
  }

  /** @throws IOException if the bytes are not a learner state of a known version */
  public static LearnerState fromBytes(byte[] data) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
    try {
      if (in.readInt() != MAGIC) {
        throw new IOException("not a contraflow learner state (bad magic)");
      }
      int version = in.readInt();
      if (version != CURRENT_VERSION) {
        throw new IOException("learner state format version " + version
            + " is not supported (this build reads version " + CURRENT_VERSION + ")");
      }
      long step = in.readLong();
      long rng = in.readLong();
      float[] params = readFloats(in);
      float[] updater = readFloats(in);
      float[] momentum = readFloats(in);
      int capacity = in.readInt();
      int dim = in.readInt();
      int writePosition = in.readInt();
      int fill = in.readInt();
      NegativeQueue queue = NegativeQueue.restore(capacity, dim, readFloats(in), readLongs(in),
          readLongs(in), writePosition, fill);
      return new LearnerState(step, rng, params, updater, momentum, queue);
    } catch (java.io.EOFException e) {
      throw new IOException("learner state is truncated", e);
    } catch (IllegalArgumentException e) {
      throw new IOException("learner state is inconsistent: " + e.getMessage(), e);
    }
  }

  static void writeFloats(DataOutputStream out, float[] values) throws IOException {
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

  static float[] readFloats(DataInputStream in) throws IOException {
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
    if (n < 0 || n > in.available() ) {
      throw new IOException("learner state is truncated or corrupt (array of " + n + " entries)");
    }
    return n;
  }
}
