package dev.contraflow.learn.replay;

import dev.contraflow.io.image.EightBitPixels;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.text.TokenizedSentence;
import dev.contraflow.learn.PairExample;
import dev.contraflow.learn.SentenceExample;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * How one modality's records sit in a replay buffer: their codec (bit-identical) and their size in
 * bytes, under a name a learner state writes before its buffer so that a reader knows how to read
 * the records back. One instance per modality: {@link #IMAGES}, {@link #SENTENCES}, {@link
 * #PAIRS}.
 *
 * <p>The sizes are estimates of the heap a buffered record takes (payload, id characters and a
 * fixed allowance for object headers and references) that bound the real footprint from above for
 * ids of Latin-1 characters; they are what {@link ReplayConfig#maxBytes} limits.
 *
 * @param <T> one input record, as the method's training update takes it
 */
public final class ReplayInputs<T> {

  /** Object and array headers and references a stored record carries beside its payload. */
  static final long RECORD_OVERHEAD_BYTES = 64;

  /** Images at the encoder's input size (the learner resizes them before they enter). */
  public static final ReplayInputs<Image> IMAGES =
      new ReplayInputs<>("images", ReplayInputs::imageBytes, new ImageCodec());

  /** Sentence records: the sentence and, for supervised records, its positive and hard negative. */
  public static final ReplayInputs<SentenceExample> SENTENCES =
      new ReplayInputs<>("sentences", ReplayInputs::sentenceExampleBytes, new SentenceCodec());

  /** Image-caption pairs as CLIP trains on them. */
  public static final ReplayInputs<PairExample> PAIRS =
      new ReplayInputs<>("pairs", ReplayInputs::pairBytes, new PairCodec());

  private static final List<ReplayInputs<?>> ALL = List.of(IMAGES, SENTENCES, PAIRS);

  private final String name;
  private final ToLongFunction<T> sizeOf;
  private final ReplayBufferCodec.ItemCodec<T> codec;

  private ReplayInputs(String name, ToLongFunction<T> sizeOf,
      ReplayBufferCodec.ItemCodec<T> codec) {
    this.name = name;
    this.sizeOf = sizeOf;
    this.codec = codec;
  }

  /** The modality's name, as a learner state writes it before the buffer. */
  public String name() {
    return name;
  }

  /** Bytes of a record as stored, by the estimate above. */
  public ToLongFunction<T> sizeOf() {
    return sizeOf;
  }

  public ReplayBufferCodec.ItemCodec<T> codec() {
    return codec;
  }

  /** @throws IOException if no modality has that name (written by a newer build, or corrupt) */
  public static ReplayInputs<?> named(String name) throws IOException {
    for (ReplayInputs<?> inputs : ALL) {
      if (inputs.name.equals(name)) {
        return inputs;
      }
    }
    throw new IOException("replay buffer of unknown records '" + name + "' (this build reads "
        + ALL.stream().map(ReplayInputs::name).toList() + ")");
  }

  @Override
  public String toString() {
    return name;
  }

  /** Heap bytes of a buffered image: its float pixels, its id's characters and the overhead. */
  public static long imageBytes(Image image) {
    return 4L * image.pixels().length + 2L * image.id().length() + RECORD_OVERHEAD_BYTES;
  }

  /** Heap bytes of a buffered sentence record: every sentence it carries. */
  static long sentenceExampleBytes(SentenceExample e) {
    return sentenceBytes(e.sentence()) + sentenceBytes(e.positive())
        + sentenceBytes(e.hardNegative());
  }

  /** Heap bytes of a buffered image-caption pair: the image, the caption and the pair's id. */
  static long pairBytes(PairExample p) {
    return (p.image() == null ? 0 : imageBytes(p.image())) + sentenceBytes(p.caption())
        + 2L * p.id().length() + RECORD_OVERHEAD_BYTES;
  }

  /** The token ids (an array header per token row), the id's characters and the overhead. */
  private static long sentenceBytes(TokenizedSentence s) {
    if (s == null) {
      return 0;
    }
    long bytes = 2L * s.id().length() + RECORD_OVERHEAD_BYTES;
    for (int[] token : s.tokens()) {
      bytes += 4L * token.length + 16;
    }
    return bytes;
  }

  /**
   * Images bit-identically: id, channels, height, width, then (version 2) a flag and the pixels
   * as 8-bit levels where they are such levels ({@link EightBitPixels}: a quarter of the bytes,
   * and the default buffer's images are), else by their raw bits, as version 1 wrote them all.
   */
  private static final class ImageCodec implements ReplayBufferCodec.ItemCodec<Image> {
    @Override
    public void write(DataOutput out, Image image) throws IOException {
      out.writeUTF(image.id());
      out.writeByte(image.channels());
      out.writeInt(image.height());
      out.writeInt(image.width());
      byte[] levels = EightBitPixels.levels(image.pixels());
      out.writeBoolean(levels != null);
      if (levels != null) {
        out.write(levels);
        return;
      }
      // in bulk: int by int, a 4096-image buffer took ~13 million one-byte writes per snapshot
      ByteBuffer raw = ByteBuffer.allocate(4 * image.pixels().length);
      raw.asFloatBuffer().put(image.pixels()); // raw bits, big-endian: as writeInt would
      out.write(raw.array());
    }

    @Override
    public Image read(DataInput in, int version) throws IOException {
      String id = in.readUTF();
      int channels = in.readByte();
      int height = in.readInt();
      int width = in.readInt();
      long n = (long) channels * height * width;
      if (channels < 1 || height < 1 || width < 1 || n > 1 << 26) {
        throw new IOException("buffered image " + id + " is corrupt (" + channels + "x"
            + height + "x" + width + ")");
      }
      float[] pixels;
      if (version > ReplayBufferCodec.VERSION_1 && in.readBoolean()) {
        byte[] levels = new byte[(int) n];
        in.readFully(levels);
        pixels = EightBitPixels.values(levels);
      } else {
        byte[] raw = new byte[4 * (int) n];
        in.readFully(raw);
        pixels = new float[(int) n];
        ByteBuffer.wrap(raw).asFloatBuffer().get(pixels);
      }
      try {
        return new Image(id, channels, height, width, pixels);
      } catch (IllegalArgumentException e) {
        throw new IOException("buffered image is corrupt: " + e.getMessage(), e);
      }
    }
  }

  /** Sentence records: the sentence, then a flag and each optional sentence. */
  private static final class SentenceCodec
      implements ReplayBufferCodec.ItemCodec<SentenceExample> {
    @Override
    public void write(DataOutput out, SentenceExample e) throws IOException {
      writeSentence(out, e.sentence());
      writeOptionalSentence(out, e.positive());
      writeOptionalSentence(out, e.hardNegative());
    }

    @Override
    public SentenceExample read(DataInput in, int version) throws IOException {
      TokenizedSentence sentence = readSentence(in);
      TokenizedSentence positive = readOptionalSentence(in);
      TokenizedSentence hardNegative = readOptionalSentence(in);
      try {
        return new SentenceExample(sentence, positive, hardNegative);
      } catch (IllegalArgumentException e) {
        throw new IOException("buffered sentence record is corrupt: " + e.getMessage(), e);
      }
    }
  }

  /** Image-caption pairs: the id, then a flag and each side. */
  private static final class PairCodec implements ReplayBufferCodec.ItemCodec<PairExample> {
    @Override
    public void write(DataOutput out, PairExample p) throws IOException {
      out.writeUTF(p.id());
      out.writeBoolean(p.image() != null);
      if (p.image() != null) {
        IMAGES.codec.write(out, p.image());
      }
      writeOptionalSentence(out, p.caption());
    }

    @Override
    public PairExample read(DataInput in, int version) throws IOException {
      String id = in.readUTF();
      Image image = in.readBoolean() ? IMAGES.codec.read(in, version) : null;
      TokenizedSentence caption = readOptionalSentence(in);
      try {
        return new PairExample(id, image, caption);
      } catch (IllegalArgumentException e) {
        throw new IOException("buffered pair is corrupt: " + e.getMessage(), e);
      }
    }
  }

  /** A tokenised sentence: id, tokens, ids per token, then the ids token by token. */
  private static void writeSentence(DataOutput out, TokenizedSentence s) throws IOException {
    out.writeUTF(s.id());
    out.writeInt(s.tokens().length);
    for (int[] token : s.tokens()) {
      out.writeInt(token.length);
      for (int id : token) {
        out.writeInt(id);
      }
    }
  }

  private static TokenizedSentence readSentence(DataInput in) throws IOException {
    String id = in.readUTF();
    int tokens = in.readInt();
    if (tokens < 1 || tokens > 1 << 16) {
      throw new IOException("buffered sentence " + id + " is corrupt (" + tokens + " tokens)");
    }
    int[][] ids = new int[tokens][];
    for (int t = 0; t < tokens; t++) {
      int slots = in.readInt();
      if (slots < 0 || slots > 1 << 10) {
        throw new IOException("buffered sentence " + id + " is corrupt (" + slots
            + " ids in token " + t + ")");
      }
      ids[t] = new int[slots];
      for (int j = 0; j < slots; j++) {
        ids[t][j] = in.readInt();
      }
    }
    return new TokenizedSentence(id, ids);
  }

  private static void writeOptionalSentence(DataOutput out, TokenizedSentence s)
      throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      writeSentence(out, s);
    }
  }

  private static TokenizedSentence readOptionalSentence(DataInput in) throws IOException {
    return in.readBoolean() ? readSentence(in) : null;
  }
}
