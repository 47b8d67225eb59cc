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
 * ({@link SentenceModel}); a version 1 file is an image model and still loads.
 */
public final class ModelFile {

  public static final int MAGIC = 0x43464d44; // "CFMD"
  public static final int CURRENT_VERSION = 2;
  private static final String IMAGE = "IMAGE";
  private static final String SENTENCE = "SENTENCE";

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

  /** The header lines and state of a model file of either modality. */
  private record Framed(Properties header, LearnerState state) {

    String modality() {
      return header.getProperty("modality", IMAGE); // version 1 files hold image models
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
    kv.put("modality", IMAGE);
    writeFramed(os, kv, model.provenance(), model.state());
  }

  public static void write(OutputStream os, SentenceModel model) throws IOException {
    Map<String, String> kv = SentenceModelHeader.of(model.config());
    kv.put("modality", SENTENCE);
    writeFramed(os, kv, model.provenance(), model.state());
  }

  private static void writeFramed(OutputStream os, Map<String, String> kv,
      Map<String, String> provenance, LearnerState state) throws IOException {
    DataOutputStream out = new DataOutputStream(os);
    out.writeInt(MAGIC);
    out.writeInt(CURRENT_VERSION);
    provenance.forEach((k, v) -> kv.put("provenance." + k, v));
    StringBuilder sb = new StringBuilder();
    kv.forEach((k, v) -> sb.append(k).append('=').append(escape(v)).append('\n'));
    byte[] header = sb.toString().getBytes(StandardCharsets.UTF_8);
    out.writeInt(header.length);
    out.write(header);
    byte[] bytes = LearnerStateCodec.toBytes(state);
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

  private static Model image(Framed f, Path file) throws IOException {
    if (!f.modality().equals(IMAGE)) {
      throw new IOException(where(file) + "holds a " + f.modality().toLowerCase(java.util.Locale.ROOT)
          + " model, not an image model (use --sentences)");
    }
    return new Model(configFrom(f.header()), f.state(), f.provenance());
  }

  private static SentenceModel sentence(Framed f, Path file) throws IOException {
    if (!f.modality().equals(SENTENCE)) {
      throw new IOException(where(file) + "holds a " + f.modality().toLowerCase(java.util.Locale.ROOT)
          + " model, not a sentence model (use --images)");
    }
    try {
      return new SentenceModel(SentenceModelHeader.config(f.header()), f.state(), f.provenance());
    } catch (IllegalArgumentException e) {
      throw new IOException("model configuration is invalid: " + e.getMessage(), e);
    }
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
    return new Framed(p, LearnerStateCodec.fromBytes(readBlock(in)));
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
    EncoderConfig e = c.encoder();
    Map<String, String> kv = new TreeMap<>();
    kv.put("method", c.method().name());
    kv.put("encoder.kind", e.kind().name());
    kv.put("encoder.channels", Integer.toString(e.channels()));
    kv.put("encoder.height", Integer.toString(e.height()));
    kv.put("encoder.width", Integer.toString(e.width()));
    kv.put("encoder.baseWidth", Integer.toString(e.baseWidth()));
    kv.put("encoder.blocksPerStage", Integer.toString(e.blocksPerStage()));
    kv.put("encoder.projectionHidden", Integer.toString(e.projectionHidden()));
    kv.put("encoder.projectionDim", Integer.toString(e.projectionDim()));
    kv.put("encoder.seed", Long.toString(e.seed()));
    SentenceModelHeader.putOptimizerAndMomentum(kv, c.optimizer(), c.momentum());
    kv.put("queueSize", Integer.toString(c.queueSize()));
    kv.put("temperature", Double.toString(c.temperature()));
    kv.put("cropScaleMin", Double.toString(c.cropScaleMin()));
    kv.put("batchSize", Integer.toString(c.batchSize()));
    kv.put("seed", Long.toString(c.seed()));
    return kv;
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static LearnerConfig configFrom(Properties p) throws IOException {
    try {
      EncoderConfig e = new EncoderConfig(
          EncoderKind.valueOf(req(p, "encoder.kind")),
          Integer.parseInt(req(p, "encoder.channels")),
          Integer.parseInt(req(p, "encoder.height")),
          Integer.parseInt(req(p, "encoder.width")),
          Integer.parseInt(req(p, "encoder.baseWidth")),
          Integer.parseInt(req(p, "encoder.blocksPerStage")),
          Integer.parseInt(req(p, "encoder.projectionHidden")),
          Integer.parseInt(req(p, "encoder.projectionDim")),
          Long.parseLong(req(p, "encoder.seed")));
      OptimizerConfig o = SentenceModelHeader.optimizer(p);
      MomentumUpdate m = SentenceModelHeader.momentum(p);
      return new LearnerConfig(Method.valueOf(req(p, "method")), e, o,
          Integer.parseInt(req(p, "queueSize")), Double.parseDouble(req(p, "temperature")), m,
          Double.parseDouble(req(p, "cropScaleMin")), Integer.parseInt(req(p, "batchSize")),
          Long.parseLong(req(p, "seed")));
    } catch (IllegalArgumentException ex) {
      throw new IOException("model configuration is invalid: " + ex.getMessage(), ex);
    }
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

  public static byte[] toBytes(SentenceModel model) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, model);
    return out.toByteArray();
  }

  public static Model fromBytes(byte[] bytes) throws IOException {
    return read(new ByteArrayInputStream(bytes));
  }
}
