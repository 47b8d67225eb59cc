package dev.contraflow.learn;

import dev.contraflow.contrast.LogitScale;
import dev.contraflow.contrast.NegativeQueue;
import dev.contraflow.learn.replay.ReplayBuffer;
import dev.contraflow.learn.replay.ReplayInputs;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The whole of a learner between two steps, for every modality and method: what a Flink
 * checkpoint or a model file holds.
 *
 * <p>Networks are held by name ({@link #ONLINE}, {@link #MOMENTUM}, {@link #TEXT}; a method's
 * running statistics too, as DINO's {@link #CENTER}), each with its
 * parameters and, for a trained network, its optimiser state, so no positional layout is left to
 * guess and a state of one method is refused by a learner of another with the names that differ.
 * The queue (MoCo, ESimCSE, SwAV) or memory bank (InstDisc) and CLIP's learnable logit scale are
 * there only for the methods that have them, the replay buffer only for a learner with one.
 *
 * <p>Immutable by contract: the arrays are fresh for every state and nobody writes to them after
 * construction (the learner copies parameters out after each step). That lets a state sit in Flink
 * heap state while an asynchronous snapshot reads it.
 *
 * @param step number of training steps taken; the model version
 * @param rngState the learner's random stream (views, dropout masks); a restore continues the same
 *     sequence
 * @param networks by name, in the method's order
 * @param queue MoCo's or ESimCSE's negatives, SwAV's queue or InstDisc's memory bank; null for
 *     methods without one
 * @param logitScale CLIP's learnable temperature and its Adam moments; null for other methods
 * @param replay recent inputs kept for replay, as the method's update takes them (images at the
 *     encoder's input size); null for a learner without a replay buffer
 */
public record LearnerState(
    long step,
    long rngState,
    Map<String, Network> networks,
    NegativeQueue queue,
    LogitScale logitScale,
    Replay<?> replay) {

  /** The network the optimiser trains: MoCo's query encoder, the sentence encoder, CLIP's image
   * tower. */
  public static final String ONLINE = "online";
  /** The momentum (EMA) copy of the online network: MoCo's key encoder, BYOL's target. */
  public static final String MOMENTUM = "momentum";
  /** CLIP's text tower. */
  public static final String TEXT = "text";
  /**
   * DINO's centre of the teacher's outputs: running statistics kept beside the networks, values
   * without optimiser state.
   */
  public static final String CENTER = "center";
  /**
   * Document frequencies of a sentence learner with SIF pooling: a count-min sketch of the stream's
   * tokens ({@link dev.contraflow.encoder.DocumentFrequencySketch}), statistics as {@link #CENTER}.
   */
  public static final String DOCUMENT_FREQUENCIES = "documentFrequencies";

  /**
   * One network's flat arrays.
   *
   * @param params flat parameters, including batch-norm statistics
   * @param updaterState the optimiser's flat state (momentum buffers, Adam moments); empty for a
   *     network no optimiser trains (the momentum encoder)
   */
  public record Network(float[] params, float[] updaterState) {

    public Network {
      Objects.requireNonNull(params, "params");
      Objects.requireNonNull(updaterState, "updaterState");
    }
  }

  /**
   * A replay buffer and the kind of record it holds (the codec writes the kind first, so a reader
   * knows how to read the records), and the update credit that micro-batches smaller than B
   * carried forward ({@link dev.contraflow.learn.replay.ReplaySchedule#plan}).
   *
   * @param updateCredit updates owed but not yet taken, in record-updates ({@code
   *     updatesPerBatch} per record, B per update), in [0, B)
   */
  public record Replay<T>(ReplayInputs<T> inputs, ReplayBuffer<T> buffer, int updateCredit) {

    public Replay {
      Objects.requireNonNull(inputs, "inputs");
      Objects.requireNonNull(buffer, "buffer");
      if (updateCredit < 0) {
        throw new IllegalArgumentException("update credit must be >= 0, got " + updateCredit);
      }
    }

    /** A buffer with no update credit carried. */
    public Replay(ReplayInputs<T> inputs, ReplayBuffer<T> buffer) {
      this(inputs, buffer, 0);
    }

    /**
     * The buffer, as records of {@code kind}.
     *
     * @throws IllegalArgumentException if it holds another modality's records
     */
    @SuppressWarnings("unchecked") // the kind is checked: inputs == kind means T == U
    public <U> ReplayBuffer<U> buffer(ReplayInputs<U> kind) {
      if (inputs != kind) {
        throw new IllegalArgumentException("the state's replay buffer holds " + inputs
            + ", not " + kind + " (was it made by a learner of another modality?)");
      }
      return (ReplayBuffer<U>) buffer;
    }
  }

  /** A state without a replay buffer. */
  public LearnerState(long step, long rngState, Map<String, Network> networks,
      NegativeQueue queue, LogitScale logitScale) {
    this(step, rngState, networks, queue, logitScale, null);
  }

  public LearnerState {
    if (networks == null || networks.isEmpty()) {
      throw new IllegalArgumentException("a learner state needs at least one network");
    }
    networks = Collections.unmodifiableMap(new LinkedHashMap<>(networks));
  }

  /** The named network. */
  public Network network(String name) {
    Network n = networks.get(name);
    if (n == null) {
      throw new IllegalArgumentException("the state holds no network '" + name + "' (it holds "
          + networks.keySet() + "; was it made with another method?)");
    }
    return n;
  }

  /** The online network's parameters: the encoder the optimiser trains. */
  public float[] encoderParams() {
    return network(ONLINE).params();
  }

  /** The parameters of the network whose embeddings a model publishes (MoCo's key encoder). */
  public float[] embeddingParams() {
    return (networks.containsKey(MOMENTUM) ? network(MOMENTUM) : network(ONLINE)).params();
  }

  /** This state with another replay buffer (the rest is shared: both are immutable). */
  public LearnerState withReplay(Replay<?> r) {
    return new LearnerState(step, rngState, networks, queue, logitScale, r);
  }

  /** Valid entries in the queue or memory bank; 0 without one. */
  public int queueFill() {
    return queue == null ? 0 : queue.fill();
  }

  /** Mean steps since the queued entries were enqueued; NaN without any. */
  public double queueMeanAge() {
    return queue == null ? Double.NaN : queue.meanAge(step);
  }
}
