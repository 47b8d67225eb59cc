package dev.contraflow.io;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/** Provisional single-object codec (replaced by the codecs branch). */
public final class RecordCodec<T extends SpecificRecord> implements Serializable {
  private final Class<T> type;
  private transient BinaryMessageEncoder<T> encoder;
  private transient BinaryMessageDecoder<T> decoder;

  private RecordCodec(Class<T> type) {
    this.type = type;
  }

  public static <T extends SpecificRecord> RecordCodec<T> singleObject(Class<T> type) {
    return new RecordCodec<>(type);
  }

  public byte[] encode(T record) {
    if (encoder == null) {
      Schema s = SpecificData.get().getSchema(type);
      encoder = new BinaryMessageEncoder<>(SpecificData.get(), s);
    }
    try {
      ByteBuffer b = encoder.encode(record);
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public T decode(byte[] bytes) throws UndecodableRecordException {
    if (decoder == null) {
      Schema s = SpecificData.get().getSchema(type);
      decoder = new BinaryMessageDecoder<>(SpecificData.get(), s);
    }
    try {
      return decoder.decode(bytes);
    } catch (IOException | RuntimeException e) {
      throw new UndecodableRecordException(String.valueOf(e.getMessage()), e);
    }
  }
}
