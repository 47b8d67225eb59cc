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
 */
public final class ModelFile {

  public static final int MAGIC = 0x43464d44; // "CFMD"
  public static final int CURRENT_VERSION = 1;

  /**
   * @param config how the model was built and trained
   * @param state parameters, momentum parameters, optimiser state, queue, step, RNG
   * @param provenance free-form facts: data, samples seen, time
   */
  public record Model(LearnerConfig config, LearnerState state, Map<String, String> provenance) {}

  private ModelFile() {}

  public static void write(Path file, Model model) throws IOException {
    Path target = file.toAbsolutePath();
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (OutputStream os = Files.newOutputStream(tmp)) {
      write(os, model);
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public static void write(OutputStream os, Model model) throws IOException {
    DataOutputStream out = new DataOutputStream(os);
    out.writeInt(MAGIC);
    out.writeInt(CURRENT_VERSION);
    byte[] header = headerText(model).getBytes(StandardCharsets.UTF_8);
    out.writeInt(header.length);
    out.write(header);
    byte[] state = LearnerStateCodec.toBytes(model.state());
    out.writeInt(state.length);
    out.write(state);
    out.flush();
  }

  public static Model read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("model file " + file + " does not exist (write one with `contraflow train`)");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return read(in);
    } catch (IOException e) {
      throw new IOException("cannot read model file " + file + ": " + e.getMessage(), e);
    }
  }

  public static Model read(InputStream is) throws IOException {
    DataInputStream in = new DataInputStream(is);
    if (in.readInt() != MAGIC) {
      throw new IOException("not a contraflow model file (bad magic)");
    }
    int version = in.readInt();
    if (version != CURRENT_VERSION) {
      throw new IOException("model format version " + version + " is not supported (this build"
          + " reads version " + CURRENT_VERSION + "; use a matching contraflow release)");
    }
    Properties p = new Properties();
    p.load(new java.io.StringReader(new String(readBlock(in), StandardCharsets.UTF_8)));
    LearnerConfig config = configFrom(p);
    LearnerState state = LearnerStateCodec.fromBytes(readBlock(in));
    Map<String, String> provenance = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      if (key.startsWith("provenance.")) {
        provenance.put(key.substring("provenance.".length()), p.getProperty(key));
      }
    }
    return new Model(config, state, provenance);
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

  private static String headerText(Model m) {
    LearnerConfig c = m.config();
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
    kv.put("optimizer.kind", c.optimizer().kind().name());
    kv.put("optimizer.learningRate", Double.toString(c.optimizer().learningRate()));
    kv.put("optimizer.momentum", Double.toString(c.optimizer().momentum()));
    kv.put("optimizer.weightDecay", Double.toString(c.optimizer().weightDecay()));
    kv.put("queueSize", Integer.toString(c.queueSize()));
    kv.put("temperature", Double.toString(c.temperature()));
    kv.put("momentum.m", Double.toString(c.momentum().momentum()));
    kv.put("momentum.schedule", c.momentum().schedule().name());
    kv.put("momentum.totalSteps", Long.toString(c.momentum().totalSteps()));
    kv.put("cropScaleMin", Double.toString(c.cropScaleMin()));
    kv.put("batchSize", Integer.toString(c.batchSize()));
    kv.put("seed", Long.toString(c.seed()));
    m.provenance().forEach((k, v) -> kv.put("provenance." + k, v));
    StringBuilder sb = new StringBuilder();
    kv.forEach((k, v) -> sb.append(k).append('=').append(escape(v)).append('\n'));
    return sb.toString();
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
      OptimizerConfig o = new OptimizerConfig(
          OptimizerConfig.Kind.valueOf(req(p, "optimizer.kind")),
          Double.parseDouble(req(p, "optimizer.learningRate")),
          Double.parseDouble(req(p, "optimizer.momentum")),
          Double.parseDouble(req(p, "optimizer.weightDecay")));
      MomentumUpdate m = new MomentumUpdate(
          Double.parseDouble(req(p, "momentum.m")),
          MomentumUpdate.Schedule.valueOf(req(p, "momentum.schedule")),
          Long.parseLong(req(p, "momentum.totalSteps")));
      return new LearnerConfig(Method.valueOf(req(p, "method")), e, o,
          Integer.parseInt(req(p, "queueSize")), Double.parseDouble(req(p, "temperature")), m,
          Double.parseDouble(req(p, "cropScaleMin")), Integer.parseInt(req(p, "batchSize")),
          Long.parseLong(req(p, "seed")));
    } catch (IllegalArgumentException ex) {
      throw new IOException("model configuration is invalid: " + ex.getMessage(), ex);
    }
  }

  private static String req(Properties p, String key) throws IOException {
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

  public static Model fromBytes(byte[] bytes) throws IOException {
    return read(new ByteArrayInputStream(bytes));
  }
}
