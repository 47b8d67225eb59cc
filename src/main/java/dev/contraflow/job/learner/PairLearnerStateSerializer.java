package dev.contraflow.job.learner;

import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.LearnerStateCodec;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;

/**
 * Reads {@code pair-learner-state-v1}: CLIP states of savepoints written before the one learner
 * frame (issue 12), into today's {@link LearnerState} ({@link LearnerStateCodec} reads their
 * bytes). Nothing new is written under it. The class keeps its name and package: savepoints name
 * its snapshot class, so moving it stops them loading.
 */
public final class PairLearnerStateSerializer extends LearnerStateSerializer {

  public static final PairLearnerStateSerializer INSTANCE = new PairLearnerStateSerializer();
  private static final long serialVersionUID = 1L;

  @Override
  public TypeSerializerSnapshot<LearnerState> snapshotConfiguration() {
    return new Snapshot();
  }

  public static final class Snapshot extends SimpleTypeSerializerSnapshot<LearnerState> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
