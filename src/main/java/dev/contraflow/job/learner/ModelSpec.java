package dev.contraflow.job.learner;

import dev.contraflow.io.image.Image;
import dev.contraflow.job.decode.KeyedInput;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/**
 * One kind of model as the keyed learner operator sees it: a serialisable recipe that travels with
 * the job graph. The learner, its DL4J networks and the tokenizer it describes are created on the
 * task manager ({@link #learner}, {@link #examples}, {@link #files}), never serialised. The
 * learner contract itself - {@link Learner}, its state, batch and step result - is engine-free and
 * the same for every modality.
 *
 * @param <I> the job's decoded input
 * @param <X> the learner's record (an image, a sentence example, an image-text pair)
 */
public interface ModelSpec<I extends KeyedInput, X> extends Serializable {

  /** B: records per training step. */
  int batchSize();

  /** The method's name, as checkpoint records carry it. */
  String method();

  /** The learner configuration as JSON: what checkpoint records carry and configHash digests. */
  String configJson();

  /**
   * The keyed state under which the job before the one learner frame (issue 12) kept this kind's
   * learner state; read once per key after a restore from such a savepoint, then cleared.
   */
  ValueStateDescriptor<LearnerState> legacyLearnerState();

  /** The keyed state holding records that wait for the micro-batch to fill. */
  ListStateDescriptor<I> pendingBatch();

  /** The keyed state holding the micro-batch whose updates are under way. */
  ListStateDescriptor<I> trainingBatch();

  /** The keyed state holding the live set's inputs by id ({@link LiveSet}). */
  MapStateDescriptor<String, I> liveSet();

  /** The keyed state holding the publish gates' fixed sample ({@link PublishGate}). */
  ListStateDescriptor<I> gateSample();

  /** Tag in published file names: models of different kinds never share a file name. */
  String fileTag();

  /** A learner to train with; created once per operator instance. */
  Learner<X> learner();

  /** How a decoded input becomes the learner's record; created once per operator instance. */
  Function<I, X> examples();

  /**
   * The learner's records for the labelled probe's images ({@link LabelledProbe}), or null when
   * this kind of model takes no image probe (the probe then does not gate it).
   */
  default List<X> probeExamples(List<Image> images) {
    return null;
  }

  /** A writer of model files; created when a model is first published. */
  Files files();

  /** The published forms of a state. Not thread-safe. */
  interface Files {

    /** The model file ({@code .cfm}) that {@code contraflow embed} and {@code eval} read. */
    byte[] modelFile(LearnerState state, Map<String, String> provenance) throws IOException;

    /**
     * The networks that make the embeddings, each in DL4J's own format (loads with
     * ComputationGraph.load), by file-name suffix; the first is the checkpoint record's dl4jUri.
     */
    Map<String, byte[]> dl4jEncoders(LearnerState state) throws IOException;
  }
}
