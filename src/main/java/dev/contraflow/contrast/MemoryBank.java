package dev.contraflow.contrast;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * InstDisc's memory bank (Wu et al. 2018): one L2-normalised feature per instance id, refreshed
 * with a proximal (momentum) update each time the instance is seen again,
 *
 * <pre>  v_i <- normalise(m v_i + (1 - m) f_i)</pre>
 *
 * m = 0.5 in the paper: 0 keeps only the latest feature, 1 never changes an entry. The paper holds
 * every instance of a finite data set; a stream has no end, so this bank is bounded: it keeps at
 * most {@code capacity} ids, and a new id beyond that evicts the entry inserted earliest (FIFO, the
 * {@link NegativeQueue} ring it is stored in; refreshing an entry does not move it). An evicted id
 * that comes again is a new instance to the bank.
 *
 * <p>Immutable, like the queue: {@link #update} returns a new bank. The storage is a
 * {@link NegativeQueue} (features, id hashes, step of last refresh), so Flink state and the
 * learner state codec hold it unchanged.
 */
public final class MemoryBank {

  private final NegativeQueue storage;
  private final Map<Long, Integer> rowOfId;

  public MemoryBank(NegativeQueue storage) {
    this.storage = storage;
    this.rowOfId = rowsById(storage);
  }

  /** The bank as its ring buffer, for state. */
  public NegativeQueue storage() {
    return storage;
  }

  public int size() {
    return storage.fill();
  }

  /** Whether the bank holds a feature of this id. */
  public boolean holds(long idHash) {
    return rowOfId.containsKey(idHash);
  }

  /**
   * The bank's features of the given ids (B x d); an id the bank does not hold gets the row of
   * {@code fallback} instead (B x d).
   */
  public INDArray features(long[] idHashes, INDArray fallback) {
    INDArray out = fallback.dup();
    for (int i = 0; i < idHashes.length; i++) {
      Integer row = rowOfId.get(idHashes[i]);
      if (row != null) {
        out.putRow(i, Nd4j.createFromArray(storage.key(row)).castTo(out.dataType()));
      }
    }
    return out;
  }

  /**
   * @param features the chosen entries, K x d (null when the bank is empty)
   * @param exclusions (query, chosen entry) pairs of the same id: the positive, not a negative
   */
  public record Negatives(INDArray features, List<InfoNceLoss.Exclusion> exclusions) {}

  /** The entries in {@code rows} as negatives for queries of the given ids. */
  public Negatives negatives(int[] rows, long[] queryIdHashes) {
    if (rows.length == 0) {
      return new Negatives(null, List.of());
    }
    int d = storage.dim();
    float[] chosen = new float[rows.length * d];
    long[] ids = storage.idHashes();
    Map<Long, List<Integer>> columns = new HashMap<>();
    for (int j = 0; j < rows.length; j++) {
      System.arraycopy(storage.key(rows[j]), 0, chosen, j * d, d);
      columns.computeIfAbsent(ids[rows[j]], x -> new ArrayList<>(1)).add(j);
    }
    List<InfoNceLoss.Exclusion> exclusions = new ArrayList<>();
    for (int b = 0; b < queryIdHashes.length; b++) {
      for (int j : columns.getOrDefault(queryIdHashes[b], List.of())) {
        exclusions.add(new InfoNceLoss.Exclusion(b, j));
      }
    }
    return new Negatives(Nd4j.create(chosen, new long[] {rows.length, d}, 'c'), exclusions);
  }

  /**
   * A new bank after seeing {@code features} (n x d, row-major, L2-normalised) of the given ids at
   * {@code step}: held ids get the proximal update with momentum {@code m}, new ids are inserted
   * (evicting the earliest inserted once full). An id twice in one call is updated twice, in order.
   */
  public MemoryBank update(float[] features, long[] idHashes, long step, double m) {
    if (!(m >= 0 && m <= 1)) {
      throw new IllegalArgumentException("memory bank momentum must be in [0, 1], got " + m
          + " (InstDisc uses 0.5)");
    }
    int d = storage.dim();
    int capacity = storage.capacity();
    float[] keys = storage.keys();
    long[] ids = storage.idHashes();
    long[] at = storage.enqueuedAt();
    Map<Long, Integer> rows = new HashMap<>(rowOfId);
    int pos = storage.writePosition();
    int fill = storage.fill();
    for (int i = 0; i < idHashes.length; i++) {
      Integer row = rows.get(idHashes[i]);
      if (row == null) {
        if (fill == capacity) {
          rows.remove(ids[pos]); // evict the earliest inserted
        }
        row = pos;
        rows.put(idHashes[i], row);
        ids[row] = idHashes[i];
        System.arraycopy(features, i * d, keys, row * d, d);
        pos = (pos + 1) % capacity;
        fill = Math.min(capacity, fill + 1);
      } else {
        proximal(keys, row * d, features, i * d, d, m);
      }
      at[row] = step;
    }
    return new MemoryBank(NegativeQueue.restore(capacity, d, keys, ids, at, pos, fill));
  }

  /** v <- normalise(m v + (1 - m) f), in place on {@code bank}. */
  private static void proximal(float[] bank, int v, float[] features, int f, int d, double m) {
    double norm = 0;
    for (int c = 0; c < d; c++) {
      double x = m * bank[v + c] + (1 - m) * features[f + c];
      bank[v + c] = (float) x;
      norm += x * x;
    }
    double scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (int c = 0; c < d; c++) {
      bank[v + c] = (float) (bank[v + c] * scale);
    }
  }

  private static Map<Long, Integer> rowsById(NegativeQueue q) {
    long[] ids = q.idHashes();
    Map<Long, Integer> out = new HashMap<>(2 * q.fill());
    for (int j = 0; j < q.fill(); j++) {
      out.put(ids[j], j);
    }
    return out;
  }
}
