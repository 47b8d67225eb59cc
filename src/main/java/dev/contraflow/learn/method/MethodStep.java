package dev.contraflow.learn.method;

import dev.contraflow.augment.Rng;
import dev.contraflow.contrast.LogitScale;
import dev.contraflow.contrast.NegativeQueue;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.Networks;
import dev.contraflow.learn.Output;
import dev.contraflow.learn.PhaseClock;
import dev.contraflow.learn.replay.ReplayInputs;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What differs between methods, for any modality: the networks a method keeps, its step 0, the
 * views, loss and updates of one training update, and how it embeds. The {@link Learner} frame
 * does the rest once for all: loading a state into the networks, the random stream, the phase
 * clock, embeddings of the batch, capturing the next state and the metrics.
 *
 * <p>A new method is one implementation of this (or of {@link ImageMethodStep} for images) and
 * its settings record.
 *
 * @param <I> one input record: an image, a sentence example, an image-text pair
 */
public interface MethodStep<I> {

  /** B: records per training step, as configured. */
  int batchSize();

  /** The method's networks by name: scratch space the frame loads from a state before an update. */
  Networks networks();

  /** Step 0: fresh networks, an empty queue or bank where the method has one. */
  LearnerState initialState();

  /** One update on networks the frame has already loaded from {@code in.state()}. */
  Outcome train(Input<I> in, PhaseClock clock);

  /**
   * Embeddings of {@code inputs} by the networks as loaded now (the momentum encoder for methods
   * that have one), tagged with model version {@code version}.
   */
  List<Output> embed(List<I> inputs, long version);

  /** How the modality's records sit in a replay buffer: their codec and size in bytes. */
  ReplayInputs<I> replayInputs();

  /**
   * A record as a replay buffer keeps it: what {@link #train} takes, no larger than it needs
   * (images at the encoder's input size). By default the record as it came.
   */
  default I stored(I record) {
    return record;
  }

  /**
   * @param state the state the update starts from (already loaded into the networks)
   * @param batch the records of the update, in stream order
   * @param rng the learner's random stream; the method draws its views and dropout masks from it
   */
  record Input<I>(LearnerState state, List<I> batch, Rng rng) {

    public int batchSize() {
      return batch.size();
    }

    /** The optimiser's iteration: the number of steps taken before this one. */
    public int iteration() {
      return (int) state.step();
    }
  }

  /**
   * @param loss the method's loss (as its paper defines it)
   * @param positiveSimilarity mean cosine of each query to its positive / target
   * @param negativeSimilarity mean cosine to negatives (NaN for methods without any)
   * @param q L2-normalised queries, one row per record (geometry metrics, embedding std)
   * @param k L2-normalised positives of q, row for row
   * @param queue the queue or memory bank after the update; null for methods without one
   * @param logitScale the learnable logit scale after the update (CLIP); null for other methods
   * @param methodMetrics the method's own figures by name (DINO's teacher entropy); empty for
   *     most methods
   */
  record Outcome(double loss, double positiveSimilarity, double negativeSimilarity, INDArray q,
      INDArray k, NegativeQueue queue, LogitScale logitScale, Map<String, Double> methodMetrics) {

    public Outcome {
      methodMetrics = Map.copyOf(methodMetrics);
    }

    /** The outcome of a method without figures of its own. */
    public Outcome(double loss, double positiveSimilarity, double negativeSimilarity, INDArray q,
        INDArray k, NegativeQueue queue, LogitScale logitScale) {
      this(loss, positiveSimilarity, negativeSimilarity, q, k, queue, logitScale, Map.of());
    }

    /** The outcome of a method without a learnable logit scale. */
    public Outcome(double loss, double positiveSimilarity, double negativeSimilarity, INDArray q,
        INDArray k, NegativeQueue queue) {
      this(loss, positiveSimilarity, negativeSimilarity, q, k, queue, null);
    }
  }
}
