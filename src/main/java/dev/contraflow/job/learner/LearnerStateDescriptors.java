package dev.contraflow.job.learner;

import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.job.decode.PairInput;
import dev.contraflow.job.decode.SentenceInput;
import dev.contraflow.learn.LearnerState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;

/**
 * Every piece of keyed state of a model, in one place, each name carrying its version. Change a
 * layout, change the name (and restore the old one), or savepoints stop loading.
 */
public final class LearnerStateDescriptors {

  /**
   * A model's whole learner state, for every modality: named networks (parameters and optimiser
   * state), queue or memory bank, logit scale, step and RNG - one immutable value.
   */
  public static ValueStateDescriptor<LearnerState> learner() {
    return new ValueStateDescriptor<>("learner-state-v2", LearnerStateSerializer.INSTANCE);
  }

  /**
   * Where the job before the one learner frame (issue 12) kept an image or sentence model's
   * state. Its serializer reads those bytes into today's state; the operator moves a key's value
   * to {@link #learner()} on first use.
   */
  public static ValueStateDescriptor<LearnerState> learnerV1() {
    return new ValueStateDescriptor<>("learner-state-v1", LearnerStateSerializer.INSTANCE);
  }

  /**
   * Where the job before the one learner frame kept a CLIP model's state; moved to
   * {@link #learner()} on first use, like {@link #learnerV1()}.
   */
  public static ValueStateDescriptor<LearnerState> pairLearnerV1() {
    return new ValueStateDescriptor<>("pair-learner-state-v1",
        PairLearnerStateSerializer.INSTANCE);
  }

  /** Images waiting for the micro-batch to fill or time out. */
  public static ListStateDescriptor<LearnerInput> pendingBatch() {
    return new ListStateDescriptor<>("pending-batch-v1", TypeInformation.of(LearnerInput.class));
  }

  /** Sentences waiting for the micro-batch to fill or time out (the sentence learner's). */
  public static ListStateDescriptor<SentenceInput> pendingSentences() {
    return new ListStateDescriptor<>("pending-sentences-v1",
        TypeInformation.of(SentenceInput.class));
  }

  /** Image-caption pairs waiting for the micro-batch to fill or time out (CLIP's). */
  public static ListStateDescriptor<PairInput> pendingPairs() {
    return new ListStateDescriptor<>("pending-pairs-v1", TypeInformation.of(PairInput.class));
  }

  /** How many records the pending micro-batch holds (a list state cannot say cheaply). */
  public static ValueStateDescriptor<Integer> pendingCount() {
    return new ValueStateDescriptor<>("pending-count-v1", Types.INT);
  }

  /**
   * Steps rejected as non-finite in a row; at limits.maxRejectedSteps the model stops training.
   */
  public static ValueStateDescriptor<Integer> rejectedSteps() {
    return new ValueStateDescriptor<>("rejected-steps-v1", Types.INT);
  }

  /** Roughly how many bytes the pending micro-batch holds (KeyedInput#sizeBytes). */
  public static ValueStateDescriptor<Long> pendingBytes() {
    return new ValueStateDescriptor<>("pending-bytes-v1", Types.LONG);
  }

  /** Processing time at which the pending micro-batch is trained on even if not full. */
  public static ValueStateDescriptor<Long> batchDeadline() {
    return new ValueStateDescriptor<>("batch-deadline-v1", Types.LONG);
  }

  /** Set once a model id is admitted under {@code model.maxKeys} (or found to have trained). */
  public static ValueStateDescriptor<Boolean> admitted() {
    return new ValueStateDescriptor<>("model-admitted-v1", Types.BOOLEAN);
  }

  /**
   * Operator (union) state: admitted model ids per key group, (key group, count), so that the
   * count of each subtask survives rescaling (see ModelKeyCap).
   */
  public static ListStateDescriptor<Tuple2<Integer, Integer>> admittedPerKeyGroup() {
    return new ListStateDescriptor<>("admitted-keys-per-key-group-v1",
        Types.TUPLE(Types.INT, Types.INT));
  }

  public static ValueStateDescriptor<PublishedModel> published() {
    return new ValueStateDescriptor<>("published-model-v1",
        TypeInformation.of(PublishedModel.class));
  }

  private LearnerStateDescriptors() {}
}
