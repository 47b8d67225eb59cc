package dev.contraflow.learn.replay;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ReplayBuffer} to bytes and back, bit-identically (floats by their raw bits), for any
 * record type given a codec for one record.
 *
 * <p>Layout (big-endian): format version, records offered, entry count, then per entry its
 * arrival, size in bytes, nearest-neighbour similarity and position, feature vector (length, then
 * floats) and the record, in the record codec's layout of that version. An unknown version is
 * refused with a message rather than misread. Version 2 lets a record codec write a smaller form
 * (images from an 8-bit source as bytes); version 1, every record as it was, is still read.
 */
public final class ReplayBufferCodec {

  public static final int CURRENT_VERSION = 2;

  /** The first layout: still read. */
  public static final int VERSION_1 = 1;

  /** Writes one record of a buffer in the {@link #CURRENT_VERSION} layout, and reads any. */
  public interface ItemCodec<T> {
    void write(DataOutput out, T item) throws IOException;

    /** @param version the buffer's format version, which the record was written in */
    T read(DataInput in, int version) throws IOException;
  }

  private ReplayBufferCodec() {}

  public static <T> void write(DataOutput out, ReplayBuffer<T> buffer, ItemCodec<T> items)
      throws IOException {
    out.writeInt(CURRENT_VERSION);
    out.writeLong(buffer.offered());
    out.writeInt(buffer.size());
    float[][] features = buffer.featureArrays();
    for (int i = 0; i < buffer.size(); i++) {
      out.writeLong(buffer.arrivalArray()[i]);
      out.writeLong(buffer.sizeArray()[i]);
      out.writeInt(Float.floatToRawIntBits(buffer.nearestArray()[i]));
      out.writeInt(buffer.neighbourArray()[i]);
      out.writeInt(features[i].length);
      for (float f : features[i]) {
        out.writeInt(Float.floatToRawIntBits(f));
      }
      items.write(out, buffer.items().get(i));
    }
  }

  /** @throws IOException if the bytes are not a replay buffer of a known version */
  public static <T> ReplayBuffer<T> read(DataInput in, ItemCodec<T> items) throws IOException {
    int version = in.readInt();
    if (version != CURRENT_VERSION && version != VERSION_1) {
      throw new IOException("replay buffer format version " + version
          + " is not supported (this build reads versions " + VERSION_1 + " to "
          + CURRENT_VERSION + ")");
    }
    long offered = in.readLong();
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("replay buffer is corrupt (" + n + " entries)");
    }
    List<T> records = new ArrayList<>(Math.min(n, 1 << 16));
    float[][] features = new float[n][];
    long[] arrivals = new long[n];
    long[] sizes = new long[n];
    float[] nearest = new float[n];
    int[] neighbour = new int[n];
    for (int i = 0; i < n; i++) {
      arrivals[i] = in.readLong();
      sizes[i] = in.readLong();
      nearest[i] = Float.intBitsToFloat(in.readInt());
      neighbour[i] = in.readInt();
      int d = in.readInt();
      if (d < 0 || d > 1 << 20) {
        throw new IOException("replay buffer entry " + i + " is corrupt (feature of " + d
            + " values)");
      }
      features[i] = new float[d];
      for (int j = 0; j < d; j++) {
        features[i][j] = Float.intBitsToFloat(in.readInt());
      }
      records.add(items.read(in, version));
    }
    try {
      return ReplayBuffer.restore(records, features, arrivals, sizes, nearest, neighbour, offered);
    } catch (IllegalArgumentException e) {
      throw new IOException("replay buffer is inconsistent: " + e.getMessage(), e);
    }
  }
}
