package dev.contraflow.job.learner;

import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.LearnerStateCodec;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;

/**
 * Flink serializer of a {@link LearnerState}, for every modality: {@link LearnerStateCodec}, which
 * also reads the state bytes of savepoints written before the one learner frame (issue 12). The
 * class keeps its name and package: savepoints name its snapshot class.
 */
public class LearnerStateSerializer extends ImmutableStateSerializer<LearnerState> {

  public static final LearnerStateSerializer INSTANCE = new LearnerStateSerializer();
  private static final long serialVersionUID = 1L;

  @Override
  byte[] encode(LearnerState state) {
    return LearnerStateCodec.toBytes(state);
  }

  @Override
  LearnerState decode(byte[] bytes) throws IOException {
    return LearnerStateCodec.fromBytes(bytes);
  }

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
