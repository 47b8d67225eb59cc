package dev.contraflow.job.sink;

import dev.contraflow.avro.EmbeddingKind;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.Modality;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.decode.KeyedInput;
import dev.contraflow.learn.Embedding;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds embedding outputs with their provenance (model, version, checkpoint, configuration
 * hash, source coordinates), keyed by the input id so a compacted topic or a table keeps the
 * latest embedding per id. Used by the streaming job and by backfills.
 */
public final class EmbeddingRecords implements Serializable {

  private final String topic;
  private final RecordCodec<EmbeddingRecord> codec;
  private final String configHash;

  public EmbeddingRecords(String topic, RecordCodec<EmbeddingRecord> codec, String configHash) {
    this.topic = topic;
    this.codec = codec;
    this.configHash = configHash;
  }

  /**
   * @param id the embedding's id (the input's, unless one input has several embeddings)
   * @param in the input whose coordinates the embedding carries
   * @param checkpointId sha256 of the model file the version was published as, or null
   */
  public KafkaOutput of(String modelId, String id, Modality modality, KeyedInput in, Embedding e,
      String checkpointId, long now) {
    return of(modelId, id, modality, in, e, checkpointId, EmbeddingKind.NEW, now);
  }

  /**
   * @param kind NEW for a record's embedding as it arrives, REFRESH for a re-embedding of the
   *     live set by the published checkpoint {@code checkpointId}
   */
  public KafkaOutput of(String modelId, String id, Modality modality, KeyedInput in, Embedding e,
      String checkpointId, EmbeddingKind kind, long now) {
    List<Float> vector = new ArrayList<>(e.vector().length);
    for (float v : e.vector()) {
      vector.add(v);
    }
    EmbeddingRecord r = EmbeddingRecord.newBuilder()
        .setId(id)
        .setModality(modality)
        .setModelId(modelId)
        .setModelVersion(e.modelVersion())
        .setCheckpointId(checkpointId)
        .setConfigHash(configHash)
        .setDim(e.vector().length)
        .setNormalized(true)
        .setVector(vector)
        .setSourceTopic(in.sourceTopic)
        .setSourcePartition(in.sourcePartition)
        .setSourceOffset(in.sourceOffset)
        .setEventTime(Instant.ofEpochMilli(in.eventTime))
        .setEmittedAt(Instant.ofEpochMilli(now))
        .setKind(kind)
        .build();
    return new KafkaOutput(topic, id.getBytes(StandardCharsets.UTF_8), codec.encode(r), now);
  }
}
