package dev.contraflow.job.learner;

/**
 * One position of a live set's arrival order: which id arrived there, how many bytes its input
 * holds and when (processing time) it arrived. A Flink POJO in keyed state; never mutated once
 * there.
 */
public class LiveSlot {
  public String id;
  public long bytes;
  public long addedAt;

  public LiveSlot() {}

  public LiveSlot(String id, long bytes, long addedAt) {
    this.id = id;
    this.bytes = bytes;
    this.addedAt = addedAt;
  }
}
