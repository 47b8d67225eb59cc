package dev.contraflow.job.learner;

/**
 * The last model file a key published: when, at which step, and its digest (which embeddings
 * carry as checkpointId). A Flink POJO in keyed state.
 */
public class PublishedModel {
  public long step;
  public long publishedAtMillis;
  public String sha256;

  public PublishedModel() {}

  public PublishedModel(long step, long publishedAtMillis, String sha256) {
    this.step = step;
    this.publishedAtMillis = publishedAtMillis;
    this.sha256 = sha256;
  }
}
