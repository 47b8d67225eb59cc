package dev.contraflow.contrast;

import dev.contraflow.encoder.FlatArrays;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MoCo's dictionary of negatives: a FIFO ring buffer of the last K keys (He et al. 2020, sec. 3.2).
 *
 * <p>Immutable: {@link #enqueue} returns a new queue, so a queue already handed to Flink state (or
 * to an asynchronous snapshot) never changes under it. Unlike the reference implementation it
 * accepts any number of keys per step (no {@code K % B == 0}): writes wrap around, and a batch
 * larger than K keeps its last K keys.
 *
 * <p>Per entry it keeps the step the key entered (its age tells how stale the negatives are: they
 * came from an older momentum encoder) and a 64-bit hash of the source id, so a query is never
 * contrasted with a queued key of its own record; in streams the same record often comes again.
 */
public final class NegativeQueue {

  private final int capacity;
  private final int dim;
  private final float[] keys; // capacity x dim, row-major; rows >= fill are unused
  private final long[] idHashes;
  private final long[] enqueuedAt;
  private final int writePosition;
  private final int fill;

  private NegativeQueue(int capacity, int dim, float[] keys, long[] idHashes, long[] enqueuedAt,
      int writePosition, int fill) {
    this.capacity = capacity;
    this.dim = dim;
    this.keys = keys;
    this.idHashes = idHashes;
    this.enqueuedAt = enqueuedAt;
    this.writePosition = writePosition;
    this.fill = fill;
  }

  /** An empty queue of K = capacity keys of dimension d. */
  public static NegativeQueue empty(int capacity, int dim) {
    if (capacity < 1) {
      throw new IllegalArgumentException(
          "queue size K must be >= 1, got " + capacity + " (MoCo uses 65536; 4096 suits small data)");
    }
    if (dim < 1) {
      throw new IllegalArgumentException("queue key dimension must be >= 1, got " + dim);
    }
    return new NegativeQueue(capacity, dim, new float[capacity * dim], new long[capacity],
        new long[capacity], 0, 0);
  }

  /** Rebuilds a queue from its serialised parts (the arrays are copied). */
  public static NegativeQueue restore(int capacity, int dim, float[] keys, long[] idHashes,
      long[] enqueuedAt, int writePosition, int fill) {
    // the arrays first: K and d are claims of the serialised form, and an empty queue of a
    // claimed K x d could be gigabytes (found by ModelFileFuzzTest)
    if (keys.length != (long) capacity * dim || idHashes.length != capacity
        || enqueuedAt.length != capacity) {
      throw new IllegalArgumentException("queue arrays do not match K=" + capacity + ", d=" + dim);
    }
    NegativeQueue q = empty(capacity, dim);
    if (fill < 0 || fill > capacity || writePosition < 0 || writePosition >= capacity) {
      throw new IllegalArgumentException("queue position " + writePosition + " / fill " + fill
          + " out of range for K=" + capacity);
    }
    return new NegativeQueue(q.capacity, q.dim, keys.clone(), idHashes.clone(),
        enqueuedAt.clone(), writePosition, fill);
  }

  /** A stable 64-bit hash (FNV-1a) of a record's source id. */
  public static long idHash(String sourceId) {
    long h = 0xcbf29ce484222325L;
    for (byte b : sourceId.getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** {@link #idHash} of each id. */
  public static long[] idHashes(List<String> sourceIds) {
    long[] h = new long[sourceIds.size()];
    for (int i = 0; i < h.length; i++) {
      h[i] = idHash(sourceIds.get(i));
    }
    return h;
  }

  /**
   * dequeue and enqueue: a new queue with {@code newKeys} (n x d, row-major, L2-normalised) written
   * over the oldest entries.
   */
  public NegativeQueue enqueue(float[] newKeys, long[] newIdHashes, long step) {
    int n = newIdHashes.length;
    if (newKeys.length != n * dim) {
      throw new IllegalArgumentException("expected " + n + " keys of dimension " + dim
          + " (" + n * dim + " values), got " + newKeys.length + " values");
    }
    float[] k = keys.clone();
    long[] h = idHashes.clone();
    long[] t = enqueuedAt.clone();
    int first = Math.max(0, n - capacity); // a batch larger than K keeps its last K keys
    int pos = writePosition;
    for (int i = first; i < n; i++) {
      System.arraycopy(newKeys, i * dim, k, pos * dim, dim);
      h[pos] = newIdHashes[i];
      t[pos] = step;
      pos = (pos + 1) % capacity;
    }
    return new NegativeQueue(capacity, dim, k, h, t, pos, Math.min(capacity, fill + n - first));
  }

  /** The valid keys as a fill x d matrix (null when empty). Rows [0, fill) are the valid ones. */
  public INDArray keysMatrix() {
    if (fill == 0) {
      return null;
    }
    float[] valid = fill == capacity ? keys : java.util.Arrays.copyOf(keys, fill * dim);
    return FlatArrays.matrix(valid, fill, dim);
  }

  /** The (query, queue entry) pairs whose source ids match: not true negatives. */
  public List<InfoNceLoss.Exclusion> exclusionsFor(long[] queryIdHashes) {
    Map<Long, List<Integer>> positions = new HashMap<>();
    for (int j = 0; j < fill; j++) {
      positions.computeIfAbsent(idHashes[j], x -> new ArrayList<>(1)).add(j);
    }
    List<InfoNceLoss.Exclusion> out = new ArrayList<>();
    for (int b = 0; b < queryIdHashes.length; b++) {
      for (int j : positions.getOrDefault(queryIdHashes[b], List.of())) {
        out.add(new InfoNceLoss.Exclusion(b, j));
      }
    }
    return out;
  }

  /** Mean number of steps since the valid entries were enqueued (NaN when empty). */
  public double meanAge(long step) {
    if (fill == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int j = 0; j < fill; j++) {
      sum += step - enqueuedAt[j];
    }
    return sum / fill;
  }

  public int capacity() {
    return capacity;
  }

  public int dim() {
    return dim;
  }

  public int fill() {
    return fill;
  }

  public int writePosition() {
    return writePosition;
  }

  /** Copies of the raw arrays, for serialisation. */
  public float[] keys() {
    return keys.clone();
  }

  public long[] idHashes() {
    return idHashes.clone();
  }

  public long[] enqueuedAt() {
    return enqueuedAt.clone();
  }

  /** The key in row j (a copy), for inspection and tests. */
  public float[] key(int j) {
    return java.util.Arrays.copyOfRange(keys, j * dim, (j + 1) * dim);
  }
}
