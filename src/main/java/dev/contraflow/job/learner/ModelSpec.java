package dev.contraflow.job.learner;

import dev.contraflow.avro.Modality;
import dev.contraflow.job.decode.KeyedInput;
import dev.contraflow.learn.Embedding;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.StepMetrics;
import dev.contraflow.learn.StepResult;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/**
 * One kind of learner as the keyed learner operator sees it: a serialisable recipe that travels
 * with the job graph. The DL4J networks it describes are created on the task manager
 * ({@link #stepper}, {@link #files}), never serialised.
 *
 * @param <I> the learner input
 * @param <S> the learner's state, one immutable value per model key
 */
public interface ModelSpec<I extends KeyedInput, S> extends Serializable {

  /** B: records per training step. */
  int batchSize();

  /** The method's name, as checkpoint records carry it. */
  String method();

  /** The learner configuration as JSON: what checkpoint records carry and configHash digests. */
  String configJson();

  /** The keyed state holding the learner's state. */
  ValueStateDescriptor<S> learnerState();

  /** The keyed state holding records that wait for the micro-batch to fill. */
  ListStateDescriptor<I> pendingBatch();

  /** Tag in published file names: models of different kinds never share a file name. */
  String fileTag();

  /** A learner to train with; created once per operator instance. */
  Stepper<I, S> stepper();

  /** A writer of model files; created when a model is first published. */
  Files<S> files();

  /** The training step. Not thread-safe. */
  interface Stepper<I, S> {

    S initialState();

    /** One step on a micro-batch. */
    Step<S> step(S state, List<I> inputs);
  }

  /**
   * The outcome of a step.
   *
   * @param state the next state
   * @param version the model version the embeddings carry: the step count
   * @param outputs the embeddings to publish, in input order
   * @param metrics the step's metrics
   */
  record Step<S>(S state, long version, List<Output> outputs, StepMetrics metrics) {

    /** A learner's step result: one embedding per input, of one modality, under the input's id. */
    static Step<LearnerState> onePerInput(StepResult r, List<? extends KeyedInput> inputs,
        Modality modality) {
      List<Output> out = new ArrayList<>(inputs.size());
      for (int i = 0; i < inputs.size(); i++) {
        out.add(new Output(i, inputs.get(i).id, modality, r.embeddings().get(i)));
      }
      return new Step<>(r.state(), r.state().step(), out, r.metrics());
    }
  }

  /**
   * One embedding to publish.
   *
   * @param input index of the input (in the step's list) whose coordinates it carries
   * @param id the embedding's id: the input's, or derived from it when an input has several
   * @param modality what was embedded
   */
  record Output(int input, String id, Modality modality, Embedding embedding) {}

  /** The published forms of a state. Not thread-safe. */
  interface Files<S> {

    /** The model file ({@code .cfm}) that {@code contraflow embed} and {@code eval} read. */
    byte[] modelFile(S state, Map<String, String> provenance) throws IOException;

    /**
     * The networks that make the embeddings, each in DL4J's own format (loads with
     * ComputationGraph.load), by file-name suffix; the first is the checkpoint record's dl4jUri.
     */
    Map<String, byte[]> dl4jEncoders(S state) throws IOException;
  }
}
