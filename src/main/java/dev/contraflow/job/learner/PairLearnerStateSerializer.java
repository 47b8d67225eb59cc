package dev.contraflow.job.learner;

import dev.contraflow.learn.PairLearnerState;
import dev.contraflow.learn.PairLearnerStateCodec;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;

/** Flink serializer of a CLIP learner's {@link PairLearnerState}: {@link PairLearnerStateCodec}. */
public final class PairLearnerStateSerializer extends ImmutableStateSerializer<PairLearnerState> {

  public static final PairLearnerStateSerializer INSTANCE = new PairLearnerStateSerializer();
  private static final long serialVersionUID = 1L;

  @Override
  byte[] encode(PairLearnerState state) {
    return PairLearnerStateCodec.toBytes(state);
  }

  @Override
  PairLearnerState decode(byte[] bytes) throws IOException {
    return PairLearnerStateCodec.fromBytes(bytes);
  }

  @Override
  public TypeSerializerSnapshot<PairLearnerState> snapshotConfiguration() {
    return new Snapshot();
  }

  public static final class Snapshot extends SimpleTypeSerializerSnapshot<PairLearnerState> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
