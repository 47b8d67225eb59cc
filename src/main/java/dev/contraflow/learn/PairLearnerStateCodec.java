package dev.contraflow.learn;

import static dev.contraflow.learn.LearnerStateCodec.readFloats;
import static dev.contraflow.learn.LearnerStateCodec.writeFloats;

import dev.contraflow.contrast.LogitScale;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@link PairLearnerState} to bytes and back, exactly (bit-identical floats and doubles).
 *
 * <p>Layout (big-endian): magic "CFPS", format version, step, RNG state, the image encoder's
 * parameters and optimiser state, the text encoder's, then the log logit scale and its two Adam
 * moments as doubles. An unknown version is refused with a message rather than misread.
 */
public final class PairLearnerStateCodec {

  public static final int MAGIC = 0x43465053; // "CFPS"
  public static final int CURRENT_VERSION = 1;

  private PairLearnerStateCodec() {}

  public static byte[] toBytes(PairLearnerState s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 4 * (s.imageParams().length
        + s.imageUpdaterState().length + s.textParams().length + s.textUpdaterState().length));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(CURRENT_VERSION);
      out.writeLong(s.step());
      out.writeLong(s.rngState());
      writeFloats(out, s.imageParams());
      writeFloats(out, s.imageUpdaterState());
      writeFloats(out, s.textParams());
      writeFloats(out, s.textUpdaterState());
      LogitScale scale = s.logitScale();
      out.writeDouble(scale.logScale());
      out.writeDouble(scale.firstMoment());
      out.writeDouble(scale.secondMoment());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in-memory stream: cannot happen
    }
    return bytes.toByteArray();
  }

  /** @throws IOException if the bytes are not a CLIP learner state of a known version */
  public static PairLearnerState fromBytes(byte[] data) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
    try {
      if (in.readInt() != MAGIC) {
        throw new IOException("not a contraflow image-text learner state (bad magic)");
      }
      int version = in.readInt();
      if (version != CURRENT_VERSION) {
        throw new IOException("image-text learner state format version " + version
            + " is not supported (this build reads version " + CURRENT_VERSION + ")");
      }
      long step = in.readLong();
      long rng = in.readLong();
      float[] imageParams = readFloats(in);
      float[] imageUpdater = readFloats(in);
      float[] textParams = readFloats(in);
      float[] textUpdater = readFloats(in);
      LogitScale scale = new LogitScale(in.readDouble(), in.readDouble(), in.readDouble());
      return new PairLearnerState(step, rng, imageParams, imageUpdater, textParams, textUpdater,
          scale);
    } catch (java.io.EOFException e) {
      throw new IOException("image-text learner state is truncated", e);
    } catch (IllegalArgumentException e) {
      throw new IOException("image-text learner state is inconsistent: " + e.getMessage(), e);
    }
  }
}
