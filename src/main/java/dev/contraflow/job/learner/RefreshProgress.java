package dev.contraflow.job.learner;

/**
 * A refresh under way: the published version re-embedding the live set, how far it has come
 * (arrival positions {@code [cursor, end)} are still to do) and how many embeddings it emitted.
 * Kept in keyed state with the checkpoint's model, so a restore resumes exactly where the
 * committed output stopped. A Flink POJO, replaced, never mutated.
 */
public class RefreshProgress {
  public long version;
  public String checkpointId;
  /** The model file's URI and size: what the completion record repeats. */
  public String uri;
  public long sizeBytes;
  public long cursor;
  public long end;
  public long emitted;
  /** Processing time of the timer that does the next chunk. */
  public long tick;

  public RefreshProgress() {}

  public RefreshProgress(long version, String checkpointId, String uri, long sizeBytes,
      long cursor, long end, long emitted, long tick) {
    this.version = version;
    this.checkpointId = checkpointId;
    this.uri = uri;
    this.sizeBytes = sizeBytes;
    this.cursor = cursor;
    this.end = end;
    this.emitted = emitted;
    this.tick = tick;
  }

  /** Whether arrival position {@code seq} is still to be re-embedded. */
  boolean pending(long seq) {
    return seq >= cursor && seq < end;
  }

  RefreshProgress advanced(long cursor, long emitted, long tick) {
    return new RefreshProgress(version, checkpointId, uri, sizeBytes, cursor, end, emitted, tick);
  }
}
