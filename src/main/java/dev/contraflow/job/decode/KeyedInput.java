package dev.contraflow.job.decode;

/**
 * What every learner input carries besides its content: the record id, the model key it trains
 * and the coordinates its embedding will carry. Flink serialises subclasses as POJOs, these
 * fields included.
 */
public class KeyedInput {
  public String id;
  public String modelId;
  public String sourceTopic;
  public int sourcePartition;
  public long sourceOffset;
  /** Event time (ms) of the input record. */
  public long eventTime;

  public KeyedInput() {}

  protected KeyedInput(String id, String modelId, String sourceTopic, int sourcePartition,
      long sourceOffset, long eventTime) {
    this.id = id;
    this.modelId = modelId;
    this.sourceTopic = sourceTopic;
    this.sourcePartition = sourcePartition;
    this.sourceOffset = sourceOffset;
    this.eventTime = eventTime;
  }

  /**
   * Roughly the bytes this input holds in the pending micro-batch (its content; the coordinates
   * are noise), which {@code limits.maxPendingBytes} bounds.
   */
  public long sizeBytes() {
    return 0;
  }

  /** Bytes of a Java string's characters. */
  protected static long sizeOf(String text) {
    return text == null ? 0 : 2L * text.length();
  }
}
