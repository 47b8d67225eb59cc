package dev.contraflow.job.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.util.TimeUtils;

/**
 * Reads a {@link JobConfig}: the bundled {@code default-job.yaml}, then the user's YAML file, then
 * {@code key=value} overrides with dotted keys ({@code learner.batchSize=64},
 * {@code kafka.properties.security.protocol=SASL_SSL}), bound in one go; the learner sections bind
 * straight to the engine-free records ({@code LearnerConfig} & co.), whose own checks run here.
 * Unknown settings and bad values fail here, before anything starts, with the setting, the value
 * and the fix in the message. The command line's learner options are overrides on the same tree
 * ({@code contraflow train --lr 0.06} is {@code learner.optimizer.learningRate=0.06}).
 */
public final class JobConfigLoader {

  private static final String DEFAULTS = "default-job.yaml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .registerModule(new SimpleModule().addDeserializer(Duration.class, new DurationText()))
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
      .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS);

  /** Settings whose value is a mapping of the user's own keys, not a section of settings. */
  private static final Set<String> FREE_FORM_MAPPINGS =
      Set.of("kafka.properties", "kafka.startingPartitionOffsets",
          "kafka.stoppingPartitionOffsets");

  private JobConfigLoader() {}

  /** Defaults only, with overrides. */
  public static JobConfig defaults(List<String> overrides) {
    return load(null, overrides);
  }

  /** Defaults, then {@code file} (may be null), then overrides. */
  public static JobConfig load(Path file, List<String> overrides) {
    ObjectNode tree = defaultsTree();
    if (file != null) {
      merge(tree, readFile(file), "");
    }
    for (String o : overrides) {
      applyOverride(tree, o);
    }
    return bind(tree);
  }

  private static ObjectNode defaultsTree() {
    try (InputStream in = JobConfigLoader.class.getResourceAsStream(DEFAULTS)) {
      return (ObjectNode) YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("the bundled " + DEFAULTS + " is unreadable", e);
    }
  }

  private static JsonNode readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidJobConfigException("config file " + file + " does not exist");
    }
    try {
      JsonNode node = YAML.readTree(file.toFile());
      if (node == null || node.isMissingNode() || node.isNull()) {
        return YAML.createObjectNode();
      }
      if (!node.isObject()) {
        throw new InvalidJobConfigException("config file " + file
            + " must hold a YAML mapping (kafka:, topics:, ...), not " + node.getNodeType());
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new InvalidJobConfigException("config file " + file + " is not valid YAML: "
          + e.getOriginalMessage() + locationOf(e));
    } catch (IOException e) {
      throw new UncheckedIOException("could not read config file " + file, e);
    }
  }

  /** Lays {@code over} onto {@code base}; mappings merge, anything else replaces. */
  private static void merge(ObjectNode base, JsonNode over, String path) {
    for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = path + e.getKey();
      JsonNode existing = base.get(e.getKey());
      if (existing == null) {
        throw unknownSetting(key);
      }
      boolean freeForm = FREE_FORM_MAPPINGS.contains(key);
      if (existing.isObject() && !e.getValue().isObject() && !freeForm) {
        throw notASection(key, existing);
      }
      if (existing.isObject() && e.getValue().isObject() && !freeForm) {
        merge((ObjectNode) existing, e.getValue(), key + ".");
      } else {
        base.set(e.getKey(), e.getValue());
      }
    }
  }

  private static void applyOverride(ObjectNode tree, String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new InvalidJobConfigException("override '" + override
          + "' is not key=value; write e.g. --set learner.batchSize=64");
    }
    String key = override.substring(0, eq).trim();
    String text = override.substring(eq + 1);
    JsonNode value = scalar(text);
    if (key.startsWith("kafka.properties.")) {
      ((ObjectNode) tree.get("kafka").get("properties"))
          .put(key.substring("kafka.properties.".length()), text);
      return;
    }
    String[] parts = key.split("\\.");
    ObjectNode node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode next = node.get(parts[i]);
      if (next == null || !next.isObject()) {
        throw unknownSetting(key);
      }
      node = (ObjectNode) next;
    }
    JsonNode existing = node.get(parts[parts.length - 1]);
    if (existing == null) {
      throw unknownSetting(key);
    }
    if (existing.isObject() && !FREE_FORM_MAPPINGS.contains(key)) {
      throw notASection(key, existing);
    }
    // A mapping setting takes a YAML flow mapping: --set kafka.startingPartitionOffsets={0: 16}
    node.set(parts[parts.length - 1], existing.isObject() ? mapping(key, text) : value);
  }

  private static InvalidJobConfigException notASection(String key, JsonNode section) {
    List<String> names = new ArrayList<>();
    section.fieldNames().forEachRemaining(names::add);
    return new InvalidJobConfigException(key + " is a section (" + String.join(", ", names)
        + "), not a value; set its keys, e.g. " + key + "." + names.get(0) + " (see "
        + "contraflow learn --print-defaults)");
  }

  private static JsonNode mapping(String key, String text) {
    try {
      JsonNode n = YAML.readTree(text);
      if (n != null && n.isObject()) {
        return n;
      }
    } catch (JsonProcessingException e) {
      // reported below
    }
    throw new InvalidJobConfigException(key + " = " + text
        + " is invalid: give a YAML mapping such as {0: 16}");
  }

  /** A command-line value read as YAML would read it: 64 is a number, true a boolean. */
  private static JsonNode scalar(String text) {
    try {
      JsonNode n = YAML.readTree(text);
      return n == null || n.isMissingNode() || n.isContainerNode()
          ? YAML.getNodeFactory().textNode(text) : n;
    } catch (JsonProcessingException e) {
      return YAML.getNodeFactory().textNode(text);
    }
  }

  private static JobConfig bind(ObjectNode tree) {
    try {
      return YAML.treeToValue(tree, JobConfig.class);
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause();
      while (cause != null) {
        if (cause instanceof InvalidJobConfigException bad) {
          throw bad;
        }
        if (cause instanceof IllegalArgumentException bad) {
          // an engine-free record's own check: its message names the field, value and fix
          throw new InvalidJobConfigException(located(e.getPath(), bad.getMessage()));
        }
        cause = cause.getCause();
      }
      if (e instanceof UnrecognizedPropertyException u) {
        String parent = pathOf(e.getPath().subList(0, e.getPath().size() - 1));
        throw unknownSetting(parent.isEmpty() ? u.getPropertyName()
            : parent + "." + u.getPropertyName());
      }
      throw new InvalidJobConfigException(pathOf(e.getPath()) + " has a bad value: "
          + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new InvalidJobConfigException("configuration is invalid: " + e.getOriginalMessage());
    }
  }

  /**
   * A record's message under the setting's path: "learner: batchSize must be ..."; a message
   * that already names its section ("replay.capacity must be ...") continues the path instead.
   */
  private static String located(List<JsonMappingException.Reference> refs, String message) {
    String path = pathOf(refs);
    int dot = path.lastIndexOf('.');
    String last = path.substring(dot + 1);
    return message.startsWith(last + ".") && dot > 0
        ? path.substring(0, dot) + "." + message : path + ": " + message;
  }

  private static String pathOf(List<JsonMappingException.Reference> refs) {
    return String.join(".", refs.stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .toList());
  }

  private static InvalidJobConfigException unknownSetting(String key) {
    return new InvalidJobConfigException("unknown setting '" + key
        + "'; every setting is listed in default-job.yaml (contraflow learn --print-defaults)");
  }

  private static String locationOf(JsonProcessingException e) {
    return e.getLocation() == null ? ""
        : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
            + ")";
  }

  /** The bundled defaults, as text: every setting with its comment. */
  public static String defaultsText() {
    try (InputStream in = JobConfigLoader.class.getResourceAsStream(DEFAULTS)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** "5s", "10min", "250ms" (Flink's duration syntax). */
  private static final class DurationText extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String text = p.getValueAsString();
      try {
        return TimeUtils.parseDuration(text);
      } catch (IllegalArgumentException | NullPointerException e) {
        throw JsonMappingException.from(p, "'" + text
            + "' is not a duration; write e.g. 500ms, 5s, 10min");
      }
    }
  }
}
