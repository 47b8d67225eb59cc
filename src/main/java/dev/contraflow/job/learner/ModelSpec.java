package dev.contraflow.job.learner;

import dev.contraflow.avro.Modality;
import dev.contraflow.job.decode.KeyedInput;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.StepResult;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListStateDescriptor;

/**
 * One modality's learner as the keyed learner operator sees it: a serialisable recipe that
 * travels with the job graph. The DL4J networks it describes are created on the task manager
 * ({@link #stepper}, {@link #files}), never serialised.
 *
 * @param <I> the learner input of the modality
 */
public interface ModelSpec<I extends KeyedInput> extends Serializable {

  /** What the embeddings of these models embed. */
  Modality modality();

  /** B: records per training step. */
  int batchSize();

  /** The method's name, as checkpoint records carry it. */
  String method();

  /** The learner configuration as JSON: what checkpoint records carry and configHash digests. */
  String configJson();

  /** The keyed state holding records that wait for the micro-batch to fill. */
  ListStateDescriptor<I> pendingBatch();

  /** Tag in published file names: models of different modalities never share a file name. */
  String fileTag();

  /** A learner to train with; created once per operator instance. */
  Stepper<I> stepper();

  /** A writer of model files; created when a model is first published. */
  Files files();

  /** The training step of a modality. Not thread-safe. */
  interface Stepper<I> {

    LearnerState initialState();

    /** One step on a micro-batch; one embedding per input, in order. */
    StepResult step(LearnerState state, List<I> inputs);
  }

  /** The published forms of a state. Not thread-safe. */
  interface Files {

    /** The model file ({@code .cfm}) that {@code contraflow embed} and {@code eval} read. */
    byte[] modelFile(LearnerState state, Map<String, String> provenance) throws IOException;

    /** The momentum encoder in DL4J's own format (loads with ComputationGraph.load). */
    byte[] momentumEncoderInDl4jFormat(LearnerState state) throws IOException;
  }
}
