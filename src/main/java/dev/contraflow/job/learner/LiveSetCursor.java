package dev.contraflow.job.learner;

/**
 * The ends and size of a live set: arrival positions {@code [oldest, next)} hold its slots (some
 * of them emptied), {@code count} ids holding {@code bytes} of input. A Flink POJO in keyed state,
 * replaced, never mutated.
 */
public class LiveSetCursor {
  public long oldest;
  public long next;
  public int count;
  public long bytes;

  public LiveSetCursor() {}

  public LiveSetCursor(long oldest, long next, int count, long bytes) {
    this.oldest = oldest;
    this.next = next;
    this.count = count;
    this.bytes = bytes;
  }
}
