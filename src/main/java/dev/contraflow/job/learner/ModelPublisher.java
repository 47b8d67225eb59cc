package dev.contraflow.job.learner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.CheckpointStatus;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.decode.ModelIds;
import dev.contraflow.job.sink.KafkaOutput;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.ModelFile;
import dev.contraflow.learn.StepMetrics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Writes a model file, and the momentum encoder in DL4J's format, through Flink's FileSystem (so
 * file://, s3:// and hdfs:// stores all work) and describes them in a CheckpointRecord for the
 * checkpoints topic. Files are named by model, modality and step and written with OVERWRITE: a
 * replay after a failure rewrites the same bytes.
 */
public final class ModelPublisher implements Serializable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI store;
  private final String topic;
  private final ModelSpec<?, ?> spec;
  private final RecordCodec<CheckpointRecord> codec;
  private transient ModelSpec.Files files;

  public ModelPublisher(URI store, String topic, RecordCodec<CheckpointRecord> codec,
      ModelSpec<?, ?> spec) {
    this.store = store;
    this.topic = topic;
    this.codec = codec;
    this.spec = spec;
  }

  /**
   * A file published and the record that announces it.
   *
   * @param uri the model file's URI
   * @param sizeBytes the model file's size
   */
  public record Published(PublishedModel model, KafkaOutput announcement, String uri,
      long sizeBytes) {}

  /** @param version the state's model version (its step) */
  public Published publish(String modelId, LearnerState state, long version,
      StepMetrics metrics, long now)
      throws IOException {
    return publish(modelId, state, version, metrics, Map.of(), null, now);
  }

  /**
   * Writes the model's files and announces them: as PUBLISHED when {@code rejection} is null,
   * else as REJECTED with the reason (the files stay in the store for inspection; no reader
   * takes a REJECTED record's model as current).
   *
   * @param gateFigures what the publish gates measured, added to the record's metrics
   */
  public Published publish(String modelId, LearnerState state, long version,
      StepMetrics metrics, Map<String, Double> gateFigures, String rejection, long now)
      throws IOException {
    if (files == null) {
      files = spec.files();
    }
    byte[] bytes = files.modelFile(state, Map.of(
        "modelId", modelId, "step", Long.toString(version),
        "createdAt", Instant.ofEpochMilli(now).toString(), "producer", "contraflow learn"));
    String folder = folderName(modelId);
    Path dir = new Path(new Path(store), folder);
    String name = folder + spec.fileTag() + "-v" + version;
    Path file = new Path(dir, name + ".cfm");
    write(file, bytes);
    Path dl4j = null;
    for (Map.Entry<String, byte[]> encoder : files.dl4jEncoders(state).entrySet()) {
      Path written = new Path(dir, name + "-" + encoder.getKey() + ".zip");
      write(written, encoder.getValue());
      dl4j = dl4j == null ? written : dl4j;
    }
    String sha256 = sha256(bytes);
    Map<String, Double> allMetrics = metricsMap(metrics);
    allMetrics.putAll(gateFigures);
    CheckpointRecord record = CheckpointRecord.newBuilder()
        .setModelId(modelId)
        .setModelVersion(version)
        .setUri(file.toUri().toString())
        .setSha256(sha256)
        .setSizeBytes(bytes.length)
        .setMethod(spec.method())
        .setConfig(spec.configJson())
        .setMetrics(allMetrics)
        .setCreatedAt(Instant.ofEpochMilli(now))
        .setDl4jUri(dl4j == null ? null : dl4j.toUri().toString())
        .setStatus(rejection == null ? CheckpointStatus.PUBLISHED : CheckpointStatus.REJECTED)
        .setReason(rejection)
        .build();
    return new Published(new PublishedModel(version, now, sha256), announce(modelId, record, now),
        file.toUri().toString(), bytes.length);
  }

  /**
   * The learner state of a model this publisher wrote, read back from the store: the bytes must
   * be the ones published ({@code sha256}, the checkpoint id), or the store was changed under the
   * job.
   *
   * @throws IOException if the file cannot be read or is not the one published
   */
  public LearnerState read(String uri, String sha256) throws IOException {
    byte[] bytes;
    Path file = new Path(uri);
    try (FSDataInputStream in = file.getFileSystem().open(file)) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new IOException("published model " + uri + " cannot be read (" + e.getMessage()
          + "): publish.modelStore must keep a published model while its refresh runs", e);
    }
    String found = sha256(bytes);
    if (!found.equals(sha256)) {
      throw new IOException("published model " + uri + " has SHA-256 " + found + ", not the "
          + sha256 + " it was published with: publish.modelStore must keep published files as"
          + " they were written");
    }
    return ModelFile.readState(new ByteArrayInputStream(bytes));
  }

  /**
   * The completion marker of a refresh: version {@code refresh.version} of the model has
   * re-embedded its live set, {@code refresh.emitted} embeddings, all before this record.
   */
  public KafkaOutput complete(String modelId, RefreshProgress refresh, long now) {
    CheckpointRecord record = CheckpointRecord.newBuilder()
        .setModelId(modelId)
        .setModelVersion(refresh.version)
        .setUri(refresh.uri)
        .setSha256(refresh.checkpointId)
        .setSizeBytes(refresh.sizeBytes)
        .setMethod(spec.method())
        .setConfig(spec.configJson())
        .setCreatedAt(Instant.ofEpochMilli(now))
        .setStatus(CheckpointStatus.COMPLETE)
        .setEmbeddings(refresh.emitted)
        .build();
    return announce(modelId, record, now);
  }

  private KafkaOutput announce(String modelId, CheckpointRecord record, long now) {
    return new KafkaOutput(topic, modelId.getBytes(StandardCharsets.UTF_8), codec.encode(record),
        now);
  }

  /**
   * The model's folder of the store, and the start of its file names: a valid id
   * ({@link ModelIds}) as it is; any other - only a key restored from a savepoint of a job that
   * did not check ids can have one - as {@code _} and a digest of it, a name no valid id has
   * (those start with a letter or digit) and that cannot leave the store.
   */
  public static String folderName(String modelId) {
    return ModelIds.isValid(modelId) ? modelId
        : "_" + sha256(modelId.getBytes(StandardCharsets.UTF_8)).substring(0, 32);
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    try (FSDataOutputStream out = file.getFileSystem().create(file,
        FileSystem.WriteMode.OVERWRITE)) {
      out.write(bytes);
    }
  }

  /** Parameters in DL4J's format, written through a scratch encoder of their shape. */
  static byte[] dl4j(Encoder scratch, float[] params) throws IOException {
    scratch.loadParams(params);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    scratch.writeDl4j(out);
    return out.toByteArray();
  }

  private static Map<String, Double> metricsMap(StepMetrics m) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (m != null) {
      out.put("loss", m.loss());
      out.put("alignment", m.alignment());
      out.put("uniformity", m.uniformity());
      out.put("embeddingStd", m.embeddingStd());
      out.put("queueFill", (double) m.queueFill());
      out.put("queueMeanAge", m.queueMeanAge());
      out.put("samplesPerSecond", m.samplesPerSecond());
      out.putAll(m.methodMetrics());
    }
    return out;
  }

  /** A learner configuration as JSON: what a CheckpointRecord carries. */
  public static String toJson(Object config) {
    try {
      return JSON.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Short digest of the configuration, carried by every embedding (provenance). */
  public static String configHash(LearnerConfig config) {
    return configHash(toJson(config));
  }

  /** Short digest of a configuration's JSON. */
  public static String configHash(String configJson) {
    return sha256(configJson.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
  }

  /** Hex SHA-256 of the bytes: a model file's checkpoint id. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
