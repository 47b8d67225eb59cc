package dev.contraflow.learn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * <p>Layout (version 4): magic "CFMD", format version, a length-prefixed UTF-8 JSON header
 * {@code {"modality": ..., "config": ..., "provenance": {...}}} - the config is the learner's
 * configuration record as Jackson writes it - then the length-prefixed {@link LearnerStateCodec}
 * bytes. Every modality is written by the one path; written to a temporary file and moved into
 * place, so a reader never sees half a model.
 *
 * <p>Versions 1 to 3 had a {@code key=value} header; they keep loading:
 * version 2 added {@code modality} (IMAGE or SENTENCE) to the header, and sentence models
 * ({@link SentenceModel}); a version 1 file is an image model. Version 3 added
 * IMAGE_TEXT models ({@link PairModel}, CLIP).
 */
public final class ModelFile {

  public static final int MAGIC = 0x43464d44; // "CFMD"
  public static final int CURRENT_VERSION = 4;
  private static final ObjectMapper JSON = new ObjectMapper();

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

  /** How a version 1 to 3 header's {@code key=value} lines become a configuration. */
  @FunctionalInterface
  private interface LegacyHeader<C> {
    C config(Properties header) throws IOException;
  }

  /**
   * The header and state block of a model file of any modality and version.
   *
   * @param config the configuration as JSON (version 4), or null
   * @param legacy the {@code key=value} header (versions 1 to 3), or null
   */
  private record Framed(Modality modality, JsonNode config, Properties legacy,
      Map<String, String> provenance, byte[] state) {

    <C> C config(Class<C> type, LegacyHeader<C> fromLegacy) throws IOException {
      try {
        return config != null ? JSON.treeToValue(config, type) : fromLegacy.config(legacy);
      } catch (JsonProcessingException e) {
        Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
        throw new IOException("model configuration is invalid: " + (cause == e
            ? e.getOriginalMessage() : cause.getMessage()), e);
      } catch (IllegalArgumentException e) {
        throw new IOException("model configuration is invalid: " + e.getMessage(), e);
      }
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
    write(os, Modality.IMAGE, model.config(), model.state(), model.provenance());
  }

  public static void write(OutputStream os, SentenceModel model) throws IOException {
    write(os, Modality.SENTENCE, model.config(), model.state(), model.provenance());
  }

  public static void write(OutputStream os, PairModel model) throws IOException {
    write(os, Modality.IMAGE_TEXT, model.config(), model.state(), model.provenance());
  }

  /** The one write path: the JSON header of {modality, config, provenance}, then the state. */
  private static void write(OutputStream os, Modality modality, Object config, LearnerState state,
      Map<String, String> provenance) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.put("modality", modality.name());
    header.set("config", JSON.valueToTree(config));
    header.set("provenance", JSON.valueToTree(new TreeMap<>(provenance)));
    DataOutputStream out = new DataOutputStream(os);
    out.writeInt(MAGIC);
    out.writeInt(CURRENT_VERSION);
    writeBlock(out, JSON.writeValueAsBytes(header));
    writeBlock(out, LearnerStateCodec.toBytes(state));
    out.flush();
  }

  private static void writeBlock(DataOutputStream out, byte[] block) throws IOException {
    out.writeInt(block.length);
    out.write(block);
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

  /**
   * The learner state a model file of any modality holds, for a reader that has the configuration
   * already (the streaming job resuming a refresh with the model it published).
   */
  public static LearnerState readState(InputStream is) throws IOException {
    return LearnerStateCodec.fromBytes(readFramed(is).state());
  }

  /** What the model file embeds, to choose the reader. */
  public static Modality modality(Path file) throws IOException {
    return readFramed(file).modality();
  }

  private static Model image(Framed f, Path file) throws IOException {
    expect(f, Modality.IMAGE, "an image", file);
    return new Model(f.config(LearnerConfig.class, ModelFile::configFrom),
        LearnerStateCodec.fromBytes(f.state()), f.provenance());
  }

  private static SentenceModel sentence(Framed f, Path file) throws IOException {
    expect(f, Modality.SENTENCE, "a sentence", file);
    return new SentenceModel(f.config(SentenceLearnerConfig.class, SentenceModelHeader::config),
        LearnerStateCodec.fromBytes(f.state()), f.provenance());
  }

  private static PairModel pair(Framed f, Path file) throws IOException {
    expect(f, Modality.IMAGE_TEXT, "an image-text", file);
    return new PairModel(f.config(PairLearnerConfig.class, PairModelHeader::config),
        LearnerStateCodec.fromBytes(f.state()), f.provenance());
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
    byte[] header = readBlock(in);
    return version == CURRENT_VERSION ? jsonHeader(header, readBlock(in))
        : legacyHeader(header, readBlock(in));
  }

  private static Framed jsonHeader(byte[] bytes, byte[] state) throws IOException {
    JsonNode header = JSON.readTree(bytes);
    Map<String, String> provenance = new TreeMap<>();
    header.path("provenance").properties()
        .forEach(e -> provenance.put(e.getKey(), e.getValue().asText()));
    JsonNode config = header.get("config");
    if (config == null || !config.isObject()) {
      throw new IOException("model header lacks its configuration");
    }
    return new Framed(modality(header.path("modality").asText()), config, null, provenance,
        state);
  }

  /** A version 1 to 3 header: {@code key=value} lines, provenance under {@code provenance.}. */
  private static Framed legacyHeader(byte[] bytes, byte[] state) throws IOException {
    Properties p = new Properties();
    try {
      p.load(new java.io.StringReader(new String(bytes, StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException e) { // a malformed unicode escape (found by fuzzing)
      throw new IOException("model header is corrupt: " + e.getMessage(), e);
    }
    Map<String, String> provenance = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      if (key.startsWith("provenance.")) {
        provenance.put(key.substring("provenance.".length()), p.getProperty(key));
      }
    }
    // version 1 knew images only
    return new Framed(modality(p.getProperty("modality", Modality.IMAGE.name())), null, p,
        provenance, state);
  }

  private static Modality modality(String name) throws IOException {
    try {
      return Modality.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new IOException("model modality " + name + " is not known to this build");
    }
  }

  private static byte[] readBlock(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > (1 << 30)) {
      throw new IOException("model file is corrupt (block of " + n + " bytes)");
    }
    // read as the bytes arrive, not allocated up front: a header that claims a gigabyte in a file
    // of a few bytes allocates a few bytes (issue 15, fuzzing)
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new IOException("model file is truncated (block of " + n + " bytes, " + b.length
          + " there)");
    }
    return b;
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

  private static LearnerConfig configFrom(Properties p) throws IOException {
    try {
      EncoderConfig e = imageEncoder(p, "encoder.");
      OptimizerConfig o = SentenceModelHeader.optimizer(p);
      MomentumUpdate m = SentenceModelHeader.momentum(p);
      return new LearnerConfig(Method.valueOf(req(p, "method")), e, o,
          Integer.parseInt(req(p, "queueSize")), Double.parseDouble(req(p, "temperature")), m,
          Double.parseDouble(req(p, "cropScaleMin")), Integer.parseInt(req(p, "batchSize")),
          Long.parseLong(req(p, "seed")),
          swav(p), instDisc(p), dino(p));
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

  /** DINO's settings; files written before they were settings used the defaults. */
  private static LearnerConfig.Dino dino(Properties p) {
    LearnerConfig.Dino d = LearnerConfig.Dino.DEFAULTS;
    return new LearnerConfig.Dino(
        Integer.parseInt(p.getProperty("dino.outputDim", Integer.toString(d.outputDim()))),
        Integer.parseInt(p.getProperty("dino.localCrops", Integer.toString(d.localCrops()))),
        Double.parseDouble(p.getProperty("dino.teacherTemperature",
            Double.toString(d.teacherTemperature()))),
        Double.parseDouble(p.getProperty("dino.warmupTeacherTemperature",
            Double.toString(d.warmupTeacherTemperature()))),
        Long.parseLong(p.getProperty("dino.warmupSteps", Long.toString(d.warmupSteps()))),
        Double.parseDouble(p.getProperty("dino.centerMomentum",
            Double.toString(d.centerMomentum()))));
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
