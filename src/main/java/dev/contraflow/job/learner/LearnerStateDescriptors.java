package dev.contraflow.job.learner;

import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.job.decode.PairInput;
import dev.contraflow.job.decode.SentenceInput;
import dev.contraflow.learn.LearnerState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
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

  /**
   * The images of the micro-batch whose updates are under way (already embedded): its update
   * batches are drawn from them again at each update ({@link UpdateProgress}).
   */
  public static ListStateDescriptor<LearnerInput> trainingBatch() {
    return new ListStateDescriptor<>("training-batch-v1", TypeInformation.of(LearnerInput.class));
  }

  /** The sentences of the micro-batch whose updates are under way. */
  public static ListStateDescriptor<SentenceInput> trainingSentences() {
    return new ListStateDescriptor<>("training-sentences-v1",
        TypeInformation.of(SentenceInput.class));
  }

  /** The image-caption pairs of the micro-batch whose updates are under way. */
  public static ListStateDescriptor<PairInput> trainingPairs() {
    return new ListStateDescriptor<>("training-pairs-v1", TypeInformation.of(PairInput.class));
  }

  /** How far the updates of the micro-batch under training have come, if any are under way. */
  public static ValueStateDescriptor<UpdateProgress> updateProgress() {
    return new ValueStateDescriptor<>("update-progress-v1",
        TypeInformation.of(UpdateProgress.class));
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

  /**
   * The last checkpoint a key tried to publish, published or rejected by the gates: the next
   * attempt is due a publish period after it.
   */
  public static ValueStateDescriptor<PublishedModel> publishAttempt() {
    return new ValueStateDescriptor<>("publish-attempt-v1",
        TypeInformation.of(PublishedModel.class));
  }

  /** An image model's live set: the latest input of each id (see {@link LiveSet}). */
  public static MapStateDescriptor<String, LearnerInput> liveImages() {
    return new MapStateDescriptor<>("live-set-images-v1", Types.STRING,
        TypeInformation.of(LearnerInput.class));
  }

  /** A sentence model's live set. */
  public static MapStateDescriptor<String, SentenceInput> liveSentences() {
    return new MapStateDescriptor<>("live-set-sentences-v1", Types.STRING,
        TypeInformation.of(SentenceInput.class));
  }

  /** An image-text model's live set. */
  public static MapStateDescriptor<String, PairInput> livePairs() {
    return new MapStateDescriptor<>("live-set-pairs-v1", Types.STRING,
        TypeInformation.of(PairInput.class));
  }

  /** The live set's arrival order: position -> the id that arrived there. */
  public static MapStateDescriptor<Long, LiveSlot> liveSetOrder() {
    return new MapStateDescriptor<>("live-set-order-v1", Types.LONG,
        TypeInformation.of(LiveSlot.class));
  }

  /** Each live id's current arrival position. */
  public static MapStateDescriptor<String, Long> liveSetPositions() {
    return new MapStateDescriptor<>("live-set-positions-v1", Types.STRING, Types.LONG);
  }

  /** The live set's ends, count and bytes. */
  public static ValueStateDescriptor<LiveSetCursor> liveSetCursor() {
    return new ValueStateDescriptor<>("live-set-cursor-v1",
        TypeInformation.of(LiveSetCursor.class));
  }

  /** The refresh under way, if any. */
  public static ValueStateDescriptor<RefreshProgress> refreshProgress() {
    return new ValueStateDescriptor<>("refresh-progress-v1",
        TypeInformation.of(RefreshProgress.class));
  }

  /**
   * The published model the refresh under way embeds with, as the job before issue 20's change
   * kept it (every checkpoint during a refresh wrote it again). Read when a savepoint of that job
   * resumes its refresh; the job now keeps the model on the subtask and reads it back from the
   * model store after a restore.
   */
  public static ValueStateDescriptor<LearnerState> refreshModel() {
    return new ValueStateDescriptor<>("refresh-model-v1", LearnerStateSerializer.INSTANCE);
  }

  /** An image model's gate sample: its first publish.gates.sampleSize records. */
  public static ListStateDescriptor<LearnerInput> gateImages() {
    return new ListStateDescriptor<>("gate-sample-images-v1",
        TypeInformation.of(LearnerInput.class));
  }

  /** A sentence model's gate sample. */
  public static ListStateDescriptor<SentenceInput> gateSentences() {
    return new ListStateDescriptor<>("gate-sample-sentences-v1",
        TypeInformation.of(SentenceInput.class));
  }

  /** An image-text model's gate sample. */
  public static ListStateDescriptor<PairInput> gatePairs() {
    return new ListStateDescriptor<>("gate-sample-pairs-v1", TypeInformation.of(PairInput.class));
  }

  /** How many records the gate sample holds. */
  public static ValueStateDescriptor<Integer> gateSampleCount() {
    return new ValueStateDescriptor<>("gate-sample-count-v1", Types.INT);
  }

  /** The gate figures of the last published model, which the next must not fall behind. */
  public static ValueStateDescriptor<GateFigures> gateBaseline() {
    return new ValueStateDescriptor<>("gate-baseline-v1", TypeInformation.of(GateFigures.class));
  }

  private LearnerStateDescriptors() {}
}
