package dev.contraflow.job.learner;

import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.LearnerStateCodec;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer of the whole learner state, framing {@link LearnerStateCodec}'s versioned
 * bytes. The state is immutable (every step makes a fresh one), so copies are the same object:
 * with the heap backend an update costs a reference, and a snapshot serialises asynchronously
 * what was current at the barrier.
 */
public final class LearnerStateSerializer extends TypeSerializerSingleton<LearnerState> {

  public static final LearnerStateSerializer INSTANCE = new LearnerStateSerializer();
  private static final long serialVersionUID = 1L;

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public LearnerState createInstance() {
    return null;
  }

  @Override
  public LearnerState copy(LearnerState from) {
    return from;
  }

  @Override
  public LearnerState copy(LearnerState from, LearnerState reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(LearnerState state, DataOutputView target) throws IOException {
    byte[] bytes = LearnerStateCodec.toBytes(state);
    target.writeInt(bytes.length);
    target.write(bytes);
  }

  @Override
  public LearnerState deserialize(DataInputView source) throws IOException {
    byte[] bytes = new byte[source.readInt()];
    source.readFully(bytes);
    return LearnerStateCodec.fromBytes(bytes);
  }

  @Override
  public LearnerState deserialize(LearnerState reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    int length = source.readInt();
    target.writeInt(length);
    target.write(source, length);
  }

  @Override
  public TypeSerializerSnapshot<LearnerState> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The byte format's own version lives inside the bytes (LearnerStateCodec). */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<LearnerState> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
