package dev.contraflow.learn.replay;

import dev.contraflow.augment.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * A bounded buffer of recent inputs for replay, for any kind of record (images, sentences,
 * pairs): at most {@code capacity} entries and {@code maxBytes} bytes (a size function gives each
 * record's bytes), filled by a {@link ReplayPolicy}.
 *
 * <p>Immutable: {@link #offer} returns a new buffer built from fresh arrays and leaves this one
 * untouched, so a buffer can sit in a learner's state while an asynchronous snapshot reads it.
 * The records themselves are shared between buffers and must be immutable too.
 *
 * <p>Each entry keeps the record, its feature vector (L2-normalised; empty for policies that read
 * none), its arrival (the record's 0-based index among all records offered), its size in bytes
 * and, for {@link ReplayPolicy#MIN_REDUNDANCY}, the cosine similarity to its nearest other entry
 * and that entry's position. Entries are in arrival order. A neighbour position of -1 with a
 * finite similarity marks a stale entry: its neighbour left, and the similarity is an upper bound
 * on the true one (removals only lower it), recomputed only if the entry ever tops the eviction
 * order (lazy greedy: the same evictions as recomputing at once, at a fraction of the cost).
 *
 * <p>All randomness comes from the {@link Rng} passed in, so the same buffer, records and
 * generator state always give the same result.
 */
public final class ReplayBuffer<T> {

  /** The similarity of an entry that has no other entry to compare with. */
  static final float NO_NEIGHBOUR = Float.NEGATIVE_INFINITY;

  private final List<T> items;
  private final float[][] features;
  private final long[] arrivals;
  private final long[] sizes;
  private final float[] nearest;
  private final int[] neighbour;
  private final long offered;
  private final long bytes;

  private ReplayBuffer(List<T> items, float[][] features, long[] arrivals, long[] sizes,
      float[] nearest, int[] neighbour, long offered) {
    int n = items.size();
    if (features.length != n || arrivals.length != n || sizes.length != n || nearest.length != n
        || neighbour.length != n) {
      throw new IllegalArgumentException("replay buffer arrays disagree: " + n + " items, "
          + features.length + " features, " + arrivals.length + " arrivals, " + sizes.length
          + " sizes, " + nearest.length + " similarities, " + neighbour.length + " neighbours");
    }
    long total = 0;
    for (int i = 0; i < n; i++) {
      if (sizes[i] < 0 || neighbour[i] < -1 || neighbour[i] >= n || neighbour[i] == i) {
        throw new IllegalArgumentException("replay buffer entry " + i + " is corrupt (size "
            + sizes[i] + ", neighbour " + neighbour[i] + ")");
      }
      if (i > 0 && arrivals[i] <= arrivals[i - 1]) {
        throw new IllegalArgumentException("replay buffer entries are not in arrival order at "
            + i);
      }
      total += sizes[i];
    }
    if (n > 0 && arrivals[n - 1] >= offered) {
      throw new IllegalArgumentException("replay buffer holds arrival " + arrivals[n - 1]
          + " but only " + offered + " records were offered");
    }
    this.items = Collections.unmodifiableList(new ArrayList<>(items));
    this.features = features;
    this.arrivals = arrivals;
    this.sizes = sizes;
    this.nearest = nearest;
    this.neighbour = neighbour;
    this.offered = offered;
    this.bytes = total;
  }

  /** A buffer that has seen nothing. */
  public static <T> ReplayBuffer<T> empty() {
    return new ReplayBuffer<>(List.of(), new float[0][], new long[0], new long[0], new float[0],
        new int[0], 0);
  }

  /**
   * A buffer from its parts, as {@link ReplayBufferCodec} reads them; the arrays become the
   * buffer's own and must not be changed afterwards.
   *
   * @throws IllegalArgumentException if the parts disagree
   */
  static <T> ReplayBuffer<T> restore(List<T> items, float[][] features, long[] arrivals,
      long[] sizes, float[] nearest, int[] neighbour, long offered) {
    return new ReplayBuffer<>(items, features, arrivals, sizes, nearest, neighbour, offered);
  }

  /** Entries held. */
  public int size() {
    return items.size();
  }

  public boolean isEmpty() {
    return items.isEmpty();
  }

  /** Bytes the held records take, by the size function they were offered with. */
  public long bytes() {
    return bytes;
  }

  /** Records offered over the buffer's life, kept or not (algorithm R's t). */
  public long offered() {
    return offered;
  }

  /** The held records, oldest arrival first (unmodifiable). */
  public List<T> items() {
    return items;
  }

  /** The 0-based stream index of entry i. */
  public long arrival(int i) {
    return arrivals[i];
  }

  /** A copy of entry i's L2-normalised feature vector (empty if the policy keeps none). */
  public float[] feature(int i) {
    return features[i].clone();
  }

  // The codec reads the arrays themselves: it only writes them out.
  float[][] featureArrays() {
    return features;
  }

  long[] arrivalArray() {
    return arrivals;
  }

  long[] sizeArray() {
    return sizes;
  }

  float[] nearestArray() {
    return nearest;
  }

  int[] neighbourArray() {
    return neighbour;
  }

  /**
   * {@code n} distinct held records drawn uniformly (fewer if the buffer holds fewer): the replayed
   * part of a training batch.
   */
  public List<T> sample(int n, Rng rng) {
    if (n < 0) {
      throw new IllegalArgumentException("cannot sample " + n + " records");
    }
    int[] picked = UniformDraw.withoutReplacement(size(), Math.min(n, size()), rng);
    List<T> out = new ArrayList<>(picked.length);
    for (int i : picked) {
      out.add(items.get(i));
    }
    return out;
  }

  /**
   * The buffer after the stream delivered {@code incoming}, in order.
   *
   * @param features one vector per record (e.g. the embedding each record got), required by
   *     {@link ReplayPolicy#MIN_REDUNDANCY}, ignored by the other policies (may be empty)
   * @param sizeOf bytes of a record as stored
   * @param rng randomness of {@link ReplayPolicy#RESERVOIR}; the other policies draw nothing
   */
  public ReplayBuffer<T> offer(List<T> incoming, List<float[]> features, ReplayConfig config,
      ToLongFunction<T> sizeOf, Rng rng) {
    Objects.requireNonNull(incoming, "incoming");
    Objects.requireNonNull(config, "config");
    boolean keepFeatures = config.policy().usesFeatures();
    if (keepFeatures && (features == null || features.size() != incoming.size())) {
      throw new IllegalArgumentException(config.policy() + " needs one feature vector per"
          + " record, got " + (features == null ? "none" : features.size()) + " for "
          + incoming.size() + " records");
    }
    long offeredAfter = offered + incoming.size();
    if (config.capacity() == 0 || incoming.isEmpty()) {
      // Nothing kept; the arrays are immutable, so the new buffer may share them.
      return new ReplayBuffer<>(items, this.features, arrivals, sizes, nearest, neighbour,
          offeredAfter);
    }
    Pool<T> pool = new Pool<>(this, config);
    List<Entry<T>> arriving = new ArrayList<>(incoming.size());
    for (int i = 0; i < incoming.size(); i++) {
      T item = Objects.requireNonNull(incoming.get(i), "record");
      float[] f = keepFeatures ? unit(features.get(i), i) : new float[0];
      arriving.add(new Entry<>(item, f, offered + i, sizeOf.applyAsLong(item), NO_NEIGHBOUR, -1));
    }
    switch (config.policy()) {
      case FIFO -> pool.fifo(arriving);
      case RESERVOIR -> pool.reservoir(arriving, rng);
      case MIN_REDUNDANCY -> pool.minRedundancy(arriving);
    }
    return pool.freeze(offeredAfter);
  }

  private static float[] unit(float[] v, int record) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    if (!(norm > 0) || Double.isInfinite(norm)) {
      throw new IllegalArgumentException("feature vector of incoming record " + record
          + " has norm " + Math.sqrt(norm) + "; MIN_REDUNDANCY needs a finite non-zero vector");
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / Math.sqrt(norm));
    }
    return out;
  }

  /** One entry while a new buffer is being built. */
  private static final class Entry<T> {
    final T item;
    final float[] feature;
    final long arrival;
    final long size;
    float nearest;
    Entry<T> neighbour;
    int neighbourPosition; // only while loading from a buffer
    /** The neighbour left: {@link #nearest} is an upper bound, not the similarity. */
    boolean stale;
    boolean evicted;

    Entry(T item, float[] feature, long arrival, long size, float nearest, int neighbour) {
      this.item = item;
      this.feature = feature;
      this.arrival = arrival;
      this.size = size;
      this.nearest = nearest;
      this.neighbourPosition = neighbour;
      this.stale = neighbour < 0 && nearest != NO_NEIGHBOUR;
    }
  }

  /** The mutable working copy {@link #offer} builds the next buffer in. */
  private static final class Pool<T> {
    private final ReplayConfig config;
    private final List<Entry<T>> entries;
    private int alive;
    private long bytes;

    Pool(ReplayBuffer<T> from, ReplayConfig config) {
      this.config = config;
      this.entries = new ArrayList<>(from.size() + 256);
      for (int i = 0; i < from.size(); i++) {
        entries.add(new Entry<>(from.items.get(i), from.features[i], from.arrivals[i],
            from.sizes[i], from.nearest[i], from.neighbour[i]));
      }
      for (Entry<T> e : entries) {
        e.neighbour = e.neighbourPosition < 0 ? null : entries.get(e.neighbourPosition);
      }
      this.alive = entries.size();
      this.bytes = from.bytes;
    }

    private boolean overBounds() {
      return alive > config.capacity() || bytes > config.maxBytes();
    }

    private void add(Entry<T> e) {
      entries.add(e);
      alive++;
      bytes += e.size;
    }

    private void evict(Entry<T> e) {
      e.evicted = true;
      alive--;
      bytes -= e.size;
    }

    /** Newest in, oldest out. */
    void fifo(List<Entry<T>> arriving) {
      arriving.forEach(this::add);
      for (int i = 0; overBounds(); i++) {
        evict(entries.get(i));
      }
    }

    /**
     * Vitter's algorithm R: while there is room the record enters; after that the t-th record
     * replaces entry j for a uniform j in [0, t] when j falls inside the buffer. Where the byte
     * bound binds before the count bound, uniformly chosen older entries leave until the record
     * fits, or, alone and too large, the record itself. With records of one size, as images at
     * the encoder's input size are, the byte bound is just a smaller capacity.
     */
    void reservoir(List<Entry<T>> arriving, Rng rng) {
      for (Entry<T> e : arriving) {
        if (alive < config.capacity() && bytes + e.size <= config.maxBytes()) {
          add(e);
          continue;
        }
        if (entries.isEmpty()) {
          continue; // a record larger than maxBytes on its own never enters
        }
        long j = UniformDraw.below(e.arrival + 1, rng);
        if (j >= entries.size()) {
          continue;
        }
        // The chosen entry leaves and the record joins at the end, which keeps arrival order.
        bytes += e.size - entries.remove((int) j).size;
        entries.add(e);
        while (bytes > config.maxBytes()) {
          int other = entries.size() == 1 ? 0 : rng.nextInt(entries.size() - 1);
          bytes -= entries.remove(other).size;
          alive--;
        }
      }
    }

    /**
     * Purushwalkam et al.'s MinRed: all records enter, then while the buffer is over its bounds the
     * entry with the highest cosine similarity to its nearest neighbour leaves (on a tie the
     * older), and entries whose nearest neighbour left look for a new one. Each entry's nearest
     * neighbour is kept between offers, so an offer of m records to n entries costs m x (n + m)
     * dot products, not n^2.
     */
    void minRedundancy(List<Entry<T>> arriving) {
      for (Entry<T> e : arriving) {
        for (Entry<T> other : entries) {
          float s = dot(e.feature, other.feature);
          if (s > e.nearest) {
            e.nearest = s;
            e.neighbour = other;
          }
          if (s > other.nearest) { // above a stale bound, s is the true maximum
            other.nearest = s;
            other.neighbour = e;
            other.stale = false;
          }
        }
        add(e);
      }
      while (overBounds()) {
        Entry<T> victim = mostRedundant();
        while (victim.stale) {
          findNeighbour(victim); // its bound topped the order: learn the true value, look again
          victim = mostRedundant();
        }
        evict(victim);
        for (Entry<T> e : entries) {
          if (!e.evicted && e.neighbour == victim) {
            e.neighbour = null;
            e.stale = true; // e.nearest stays, as an upper bound
          }
        }
      }
    }

    private Entry<T> mostRedundant() {
      Entry<T> best = null;
      for (Entry<T> e : entries) {
        if (!e.evicted && (best == null || e.nearest > best.nearest)) {
          best = e; // strict: on a tie the earlier (older) entry stays the choice
        }
      }
      return best;
    }

    private void findNeighbour(Entry<T> e) {
      e.nearest = NO_NEIGHBOUR;
      e.neighbour = null;
      e.stale = false;
      for (Entry<T> other : entries) {
        if (other != e && !other.evicted) {
          float s = dot(e.feature, other.feature);
          if (s > e.nearest) {
            e.nearest = s;
            e.neighbour = other;
          }
        }
      }
    }

    private static float dot(float[] a, float[] b) {
      if (a.length != b.length) {
        throw new IllegalArgumentException("feature vectors differ in length: " + a.length
            + " and " + b.length + " (all records of a buffer need features of one model)");
      }
      // Four partial sums break the dependency chain (about 3x faster than one); Java's strict
      // float semantics keep the result identical on every JVM, so a restore evicts the same way.
      float s0 = 0;
      float s1 = 0;
      float s2 = 0;
      float s3 = 0;
      int i = 0;
      for (; i + 3 < a.length; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
      }
      for (; i < a.length; i++) {
        s0 += a[i] * b[i];
      }
      return (s0 + s1) + (s2 + s3);
    }

    ReplayBuffer<T> freeze(long offered) {
      List<Entry<T>> kept = new ArrayList<>(alive);
      for (Entry<T> e : entries) {
        if (!e.evicted) {
          kept.add(e);
        }
      }
      java.util.Map<Entry<T>, Integer> position = new java.util.IdentityHashMap<>();
      for (int i = 0; i < kept.size(); i++) {
        position.put(kept.get(i), i);
      }
      int n = kept.size();
      List<T> items = new ArrayList<>(n);
      float[][] features = new float[n][];
      long[] arrivals = new long[n];
      long[] sizes = new long[n];
      float[] nearest = new float[n];
      int[] neighbour = new int[n];
      for (int i = 0; i < n; i++) {
        Entry<T> e = kept.get(i);
        items.add(e.item);
        features[i] = e.feature;
        arrivals[i] = e.arrival;
        sizes[i] = e.size;
        nearest[i] = e.nearest;
        neighbour[i] = e.neighbour == null ? -1 : position.get(e.neighbour);
      }
      return new ReplayBuffer<>(items, features, arrivals, sizes, nearest, neighbour, offered);
    }
  }

  @Override
  public String toString() {
    return "ReplayBuffer[" + size() + " entries, " + bytes + " bytes, " + offered + " offered]";
  }

  /** Whether two buffers hold the same entries bit for bit, comparing records with {@code same}. */
  public boolean sameAs(ReplayBuffer<T> other, java.util.function.BiPredicate<T, T> same) {
    if (other.size() != size() || other.offered != offered
        || !Arrays.equals(arrivals, other.arrivals) || !Arrays.equals(sizes, other.sizes)
        || !Arrays.equals(neighbour, other.neighbour)
        || !Arrays.equals(floatBits(nearest), floatBits(other.nearest))) {
      return false;
    }
    for (int i = 0; i < size(); i++) {
      if (!Arrays.equals(floatBits(features[i]), floatBits(other.features[i]))
          || !same.test(items.get(i), other.items.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static int[] floatBits(float[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }
}
