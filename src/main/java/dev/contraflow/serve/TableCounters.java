package dev.contraflow.serve;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the table's processors have done since this instance started, shared by all its tasks and
 * read by {@code GET /metrics}. Counts start at zero on every start: a restart that restores the
 * stores from their changelogs reads only what came after its committed offsets.
 */
public final class TableCounters {

  private final AtomicLong read = new AtomicLong();
  private final AtomicLong stored = new AtomicLong();
  private final AtomicLong undecodable = new AtomicLong();
  private final AtomicLong superseded = new AtomicLong();
  private final AtomicLong expired = new AtomicLong();
  private final AtomicLong evicted = new AtomicLong();

  /** Records taken from the embeddings topic, whatever became of them. */
  public long read() {
    return read.get();
  }

  /** Embeddings that became the newest row of their key. */
  public long stored() {
    return stored.get();
  }

  /** Values that were not a usable EmbeddingRecord; each is logged with topic/partition/offset. */
  public long undecodable() {
    return undecodable.get();
  }

  /** Embeddings of an older model version than the table already held for their key. */
  public long superseded() {
    return superseded.get();
  }

  /** Embeddings the history store refused as older than its retention (LatestByModelVersion). */
  public long expired() {
    return expired.get();
  }

  /** Rows of model versions the table no longer keeps, deleted (VersionCatalog#evictable). */
  public long evicted() {
    return evicted.get();
  }

  long countRead() {
    return read.incrementAndGet();
  }

  long countStored() {
    return stored.incrementAndGet();
  }

  long countUndecodable() {
    return undecodable.incrementAndGet();
  }

  long countSuperseded() {
    return superseded.incrementAndGet();
  }

  long countExpired() {
    return expired.incrementAndGet();
  }

  long countEvicted(long rows) {
    return evicted.addAndGet(rows);
  }
}
