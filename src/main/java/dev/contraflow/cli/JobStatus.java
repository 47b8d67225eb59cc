package dev.contraflow.cli;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What {@code learn} knows about its running job at one moment: Flink's own metrics (records read
 * and lag per input, completed checkpoints, each model's step, loss and embedding std) and what
 * the output topics hold committed since the start (embeddings, dead letters, published versions).
 *
 * @param state the Flink job state, e.g. RUNNING, RESTARTING
 * @param embeddings embedding records committed to the embeddings topic since the start
 * @param deadLetters dead letters committed since the start
 * @param checkpoints Flink checkpoints completed
 */
record JobStatus(Duration elapsed, String state, List<Input> inputs, long embeddings,
    long deadLetters, long checkpoints, List<Model> models) {

  /** This status with the job's final state and the outputs committed by the end. */
  JobStatus withCommitted(Duration elapsed, String state, long embeddings, long deadLetters,
      Map<String, Long> published) {
    return new JobStatus(elapsed, state, inputs, embeddings, deadLetters, checkpoints,
        models.stream().map(m -> m.withPublished(published.get(m.modelId()))).toList());
  }

  /**
   * One input topic.
   *
   * @param read records the source has emitted
   * @param lag records in Kafka not yet read (the source's pendingRecords), empty until known
   */
  record Input(String topic, long read, OptionalLong lag) {
  }

  /**
   * One model key.
   *
   * @param step the model version: training steps taken
   * @param loss the latest step's loss, NaN before the first
   * @param embeddingStd std of the latest batch's L2-normalised embeddings (collapse -> 0)
   * @param published the newest version committed to the checkpoints topic since the start
   */
  record Model(String modelId, long step, double loss, double embeddingStd,
      OptionalLong published) {

    /** This model with {@code version} published (null: none seen). */
    Model withPublished(Long version) {
      return new Model(modelId, step, loss, embeddingStd,
          version == null ? OptionalLong.empty() : OptionalLong.of(version));
    }
  }
}
