package dev.contraflow.learn;

import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.encoder.OptimizerConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A trained model on disk: the learner's configuration, provenance, and its full state (so
 * training can also resume from it).
 *
 * <p>Layout: magic "CFMD", format version, the configuration and provenance as UTF-8
 * {@code key=value} lines, then {@link LearnerStateCodec} bytes. Written to a temporary file and
 * moved into place, so a reader never sees half a model.
 *
 * <p>Version 2 adds {@code modality} (IMAGE or SENTENCE) to the header, and sentence models
 * ({@link SentenceModel}); a version 1 file is an image model and still loads. Version 3 adds
 * IMAGE_TEXT models ({@link PairModel}, CLIP); since the one learner frame (issue 12) every
 * state block is {@link LearnerStateCodec}
 * bytes. Each file carries the lowest version that describes it - image and sentence models are
 * still written as version 2 - so older builds keep reading what they can.
 */
public final class ModelFile {

  public static final int MAGIC = 0x43464d44; // "CFMD"
  public static final int CURRENT_VERSION = 3;
  /** The version image and sentence models are written with. */
  private static final int SINGLE_MODALITY_VERSION = 2;

  /** What a model embeds. */
  public enum Modality {
    /** an image encoder ({@link Model}) */
    IMAGE,
    /** a sentence encoder ({@link SentenceModel}) */
    SENTENCE,
    /** an image and a text encoder into one space ({@link PairModel}): embeds either */
    IMAGE_TEXT;

    String option() {
      return switch (this) {
        case IMAGE -> "--images";
        case SENTENCE -> "--sentences";
        case IMAGE_TEXT -> "--images or --sentences with a CLIP model";
      };
    }
  }

  /**
   * @param config how the model was built and trained
   * @param state parameters, momentum parameters, optimiser state, queue, step, RNG
   * @param provenance free-form facts: data, samples seen, time
   */
  public record Model(LearnerConfig config, LearnerState state, Map<String, String> provenance) {}

  /**
   * @param config how the sentence model was built and trained
   * @param state parameters, momentum parameters, optimiser state, queue, step, RNG
   * @param provenance free-form facts: data, samples seen, time
   */
  public record SentenceModel(SentenceLearnerConfig config, LearnerState state,
      Map<String, String> provenance) {}

  /**
   * @param config how the image-text model was built and trained
   * @param state both towers' parameters and optimiser states, the logit scale, step, RNG
   * @param provenance free-form facts: data, samples seen, time
   */
  public record PairModel(PairLearnerConfig config, LearnerState state,
      Map<String, String> provenance) {}

  /** The header lines and the state block of a model file of any modality. */
  private record Framed(Properties header, byte[] state) {

    Modality modality() throws IOException {
      String m = header.getProperty("modality", Modality.IMAGE.name()); // version 1: images
      try {
        return Modality.valueOf(m);
      } catch (IllegalArgumentException e) {
        throw new IOException("model modality " + m + " is not known to this build");
      }
    }

    Map<String, String> provenance() {
      Map<String, String> out = new TreeMap<>();
      for (String key : header.stringPropertyNames()) {
        if (key.startsWith("provenance.")) {
          out.put(key.substring("provenance.".length()), header.getProperty(key));
        }
      }
      return out;
    }
  }

  private ModelFile() {}

  public static void write(Path file, Model model) throws IOException {
    writeAtomically(file, os -> write(os, model));
  }

  public static void write(Path file, SentenceModel model) throws IOException {
    writeAtomically(file, os -> write(os, model));
  }

  public static void write(Path file, PairModel model) throws IOException {
    writeAtomically(file, os -> write(os, model));
  }

  private interface Writer {
    void writeTo(OutputStream os) throws IOException;
  }

  private static void writeAtomically(Path file, Writer writer) throws IOException {
    Path target = file.toAbsolutePath();
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (OutputStream os = Files.newOutputStream(tmp)) {
      writer.writeTo(os);
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public static void write(OutputStream os, Model model) throws IOException {
    Map<String, String> kv = imageHeader(model.config());
    kv.put("modality", Modality.IMAGE.name());
    writeFramed(os, SINGLE_MODALITY_VERSION, kv, model.provenance(),
        LearnerStateCodec.toBytes(model.state()));
  }

  public static void write(OutputStream os, SentenceModel model) throws IOException {
    Map<String, String> kv = SentenceModelHeader.of(model.config());
    kv.put("modality", Modality.SENTENCE.name());
    writeFramed(os, SINGLE_MODALITY_VERSION, kv, model.provenance(),
        LearnerStateCodec.toBytes(model.state()));
  }

  public static void write(OutputStream os, PairModel model) throws IOException {
    Map<String, String> kv = PairModelHeader.of(model.config());
    kv.put("modality", Modality.IMAGE_TEXT.name());
    writeFramed(os, CURRENT_VERSION, kv, model.provenance(),
        LearnerStateCodec.toBytes(model.state()));
  }

  private static void writeFramed(OutputStream os, int version, Map<String, String> kv,
      Map<String, String> provenance, byte[] bytes) throws IOException {
    DataOutputStream out = new DataOutputStream(os);
    out.writeInt(MAGIC);
    out.writeInt(version);
    provenance.forEach((k, v) -> kv.put("provenance." + k, v));
    StringBuilder sb = new StringBuilder();
    kv.forEach((k, v) -> sb.append(k).append('=').append(escape(v)).append('\n'));
    byte[] header = sb.toString().getBytes(StandardCharsets.UTF_8);
    out.writeInt(header.length);
    out.write(header);
    out.writeInt(bytes.length);
    out.write(bytes);
    out.flush();
  }

  /** An image model; a sentence model file is refused with the option that reads it. */
  public static Model read(Path file) throws IOException {
    return image(readFramed(file), file);
  }

  /** A sentence model; an image model file is refused with the option that reads it. */
  public static SentenceModel readSentenceModel(Path file) throws IOException {
    return sentence(readFramed(file), file);
  }

  public static Model read(InputStream is) throws IOException {
    return image(readFramed(is), null);
  }

  public static SentenceModel readSentenceModel(InputStream is) throws IOException {
    return sentence(readFramed(is), null);
  }

  /** An image-text (CLIP) model; a model of one modality is refused with the option for it. */
  public static PairModel readPairModel(Path file) throws IOException {
    return pair(readFramed(file), file);
  }

  public static PairModel readPairModel(InputStream is) throws IOException {
    return pair(readFramed(is), null);
  }

  /** What the model file embeds, to choose the reader. */
  public static Modality modality(Path file) throws IOException {
    return readFramed(file).modality();
  }

  private static Model image(Framed f, Path file) throws IOException {
    expect(f, Modality.IMAGE, "an image", file);
    return new Model(configFrom(f.header()), LearnerStateCodec.fromBytes(f.state()),
        f.provenance());
  }

  private static SentenceModel sentence(Framed f, Path file) throws IOException {
    expect(f, Modality.SENTENCE, "a sentence", file);
    try {
      return new SentenceModel(SentenceModelHeader.config(f.header()),
          LearnerStateCodec.fromBytes(f.state()), f.provenance());
    } catch (IllegalArgumentException e) {
      throw new IOException("model configuration is invalid: " + e.getMessage(), e);
    }
  }

  private static PairModel pair(Framed f, Path file) throws IOException {
    expect(f, Modality.IMAGE_TEXT, "an image-text", file);
    try {
      return new PairModel(PairModelHeader.config(f.header()),
          LearnerStateCodec.fromBytes(f.state()), f.provenance());
    } catch (IllegalArgumentException e) {
      throw new IOException("model configuration is invalid: " + e.getMessage(), e);
    }
  }

  private static void expect(Framed f, Modality wanted, String article, Path file)
      throws IOException {
    Modality m = f.modality();
    if (m != wanted) {
      throw new IOException(where(file) + "holds " + describe(m) + " model, not " + article
          + " model (use " + m.option() + ")");
    }
  }

  private static String describe(Modality m) {
    return switch (m) {
      case IMAGE -> "an image";
      case SENTENCE -> "a sentence";
      case IMAGE_TEXT -> "an image-text (CLIP)";
    };
  }

  private static String where(Path file) {
    return file == null ? "the model " : "model file " + file + " ";
  }

  private static Framed readFramed(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("model file " + file + " does not exist (write one with `contraflow train`)");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return readFramed(in);
    } catch (IOException e) {
      throw new IOException("cannot read model file " + file + ": " + e.getMessage(), e);
    }
  }

  private static Framed readFramed(InputStream is) throws IOException {
    DataInputStream in = new DataInputStream(is);
    if (in.readInt() != MAGIC) {
      throw new IOException("not a contraflow model file (bad magic)");
    }
    int version = in.readInt();
    if (version < 1 || version > CURRENT_VERSION) {
      throw new IOException("model format version " + version + " is not supported (this build"
          + " reads versions 1 to " + CURRENT_VERSION + "; use a matching contraflow release)");
    }
    Properties p = new Properties();
    p.load(new java.io.StringReader(new String(readBlock(in), StandardCharsets.UTF_8)));
    return new Framed(p, readBlock(in));
  }

  private static byte[] readBlock(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > (1 << 30)) {
      throw new IOException("model file is corrupt (block of " + n + " bytes)");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  private static Map<String, String> imageHeader(LearnerConfig c) {
    Map<String, String> kv = new TreeMap<>();
    kv.put("method", c.method().name());
    putImageEncoder(kv, "encoder.", c.encoder());
    SentenceModelHeader.putOptimizerAndMomentum(kv, c.optimizer(), c.momentum());
    kv.put("queueSize", Integer.toString(c.queueSize()));
    kv.put("temperature", Double.toString(c.temperature()));
    kv.put("cropScaleMin", Double.toString(c.cropScaleMin()));
    kv.put("batchSize", Integer.toString(c.batchSize()));
    kv.put("seed", Long.toString(c.seed()));
    kv.put("swav.prototypes", Integer.toString(c.swav().prototypes()));
    kv.put("swav.localCrops", Integer.toString(c.swav().localCrops()));
    kv.put("instDisc.negatives", Integer.toString(c.instDisc().negatives()));
    kv.put("instDisc.bankMomentum", Double.toString(c.instDisc().bankMomentum()));
    return kv;
  }

  static void putImageEncoder(Map<String, String> kv, String prefix, EncoderConfig e) {
    kv.put(prefix + "kind", e.kind().name());
    kv.put(prefix + "channels", Integer.toString(e.channels()));
    kv.put(prefix + "height", Integer.toString(e.height()));
    kv.put(prefix + "width", Integer.toString(e.width()));
    kv.put(prefix + "baseWidth", Integer.toString(e.baseWidth()));
    kv.put(prefix + "blocksPerStage", Integer.toString(e.blocksPerStage()));
    kv.put(prefix + "projectionHidden", Integer.toString(e.projectionHidden()));
    kv.put(prefix + "projectionDim", Integer.toString(e.projectionDim()));
    kv.put(prefix + "seed", Long.toString(e.seed()));
  }

  static EncoderConfig imageEncoder(Properties p, String prefix) throws IOException {
    return new EncoderConfig(
        EncoderKind.valueOf(req(p, prefix + "kind")),
        Integer.parseInt(req(p, prefix + "channels")),
        Integer.parseInt(req(p, prefix + "height")),
        Integer.parseInt(req(p, prefix + "width")),
        Integer.parseInt(req(p, prefix + "baseWidth")),
        Integer.parseInt(req(p, prefix + "blocksPerStage")),
        Integer.parseInt(req(p, prefix + "projectionHidden")),
        Integer.parseInt(req(p, prefix + "projectionDim")),
        Long.parseLong(req(p, prefix + "seed")));
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static LearnerConfig configFrom(Properties p) throws IOException {
    try {
      EncoderConfig e = imageEncoder(p, "encoder.");
      OptimizerConfig o = SentenceModelHeader.optimizer(p);
      MomentumUpdate m = SentenceModelHeader.momentum(p);
      return new LearnerConfig(Method.valueOf(req(p, "method")), e, o,
          Integer.parseInt(req(p, "queueSize")), Double.parseDouble(req(p, "temperature")), m,
          Double.parseDouble(req(p, "cropScaleMin")), Integer.parseInt(req(p, "batchSize")),
          Long.parseLong(req(p, "seed")),
          swav(p), instDisc(p));
    } catch (IllegalArgumentException ex) {
      throw new IOException("model configuration is invalid: " + ex.getMessage(), ex);
    }
  }

  /** SwAV's settings; files written before they were settings used the defaults. */
  private static LearnerConfig.Swav swav(Properties p) {
    LearnerConfig.Swav d = LearnerConfig.Swav.DEFAULTS;
    return new LearnerConfig.Swav(
        Integer.parseInt(p.getProperty("swav.prototypes", Integer.toString(d.prototypes()))),
        Integer.parseInt(p.getProperty("swav.localCrops", Integer.toString(d.localCrops()))));
  }

  /** InstDisc's settings; files written before they were settings used the defaults. */
  private static LearnerConfig.InstDisc instDisc(Properties p) {
    LearnerConfig.InstDisc d = LearnerConfig.InstDisc.DEFAULTS;
    return new LearnerConfig.InstDisc(
        Integer.parseInt(p.getProperty("instDisc.negatives", Integer.toString(d.negatives()))),
        Double.parseDouble(
            p.getProperty("instDisc.bankMomentum", Double.toString(d.bankMomentum()))));
  }

  static String req(Properties p, String key) throws IOException {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IOException("model configuration lacks '" + key + "'");
    }
    return v;
  }

  /** The model as bytes (for publishing to a store or a Kafka topic). */
  public static byte[] toBytes(Model model) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, model);
    return out.toByteArray();
  }

  public static byte[] toBytes(PairModel model) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, model);
    return out.toByteArray();
  }

  public static byte[] toBytes(SentenceModel model) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, model);
    return out.toByteArray();
  }

  public static Model fromBytes(byte[] bytes) throws IOException {
    return read(new ByteArrayInputStream(bytes));
  }
}
