package dev.contraflow.job.learner;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer of a learner's whole state, framing its codec's versioned bytes. The state is
 * immutable (every step makes a fresh one), so copies are the same object: with the heap backend
 * an update costs a reference, and a snapshot serialises asynchronously what was current at the
 * barrier. The byte format's own version lives inside the bytes (the codec's).
 */
abstract class ImmutableStateSerializer<T> extends TypeSerializerSingleton<T> {

  private static final long serialVersionUID = 1L;

  /** The codec's bytes of a state. */
  abstract byte[] encode(T state);

  /** A state from its codec's bytes. */
  abstract T decode(byte[] bytes) throws IOException;

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public T createInstance() {
    return null;
  }

  @Override
  public T copy(T from) {
    return from;
  }

  @Override
  public T copy(T from, T reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(T state, DataOutputView target) throws IOException {
    byte[] bytes = encode(state);
    target.writeInt(bytes.length);
    target.write(bytes);
  }

  @Override
  public T deserialize(DataInputView source) throws IOException {
    byte[] bytes = new byte[source.readInt()];
    source.readFully(bytes);
    return decode(bytes);
  }

  @Override
  public T deserialize(T reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    int length = source.readInt();
    target.writeInt(length);
    target.write(source, length);
  }
}
