package dev.contraflow.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contraflow.avro.EmbeddingRecord;
import java.util.List;
import org.apache.kafka.streams.state.VersionedRecord;

/** The JSON bodies of the table's answers. Times are epoch milliseconds, as {@code asOf} is. */
final class EmbeddingJson {

  private EmbeddingJson() {
  }

  /**
   * One row: the embedding with its provenance, and since when ({@code validFrom}) and until when
   * ({@code validTo}, absent for the current row) the table held it.
   */
  static ObjectNode row(ObjectMapper json, VersionedRecord<EmbeddingRecord> row) {
    ObjectNode body = row(json, row.value());
    body.put("validFrom", row.timestamp());
    row.validTo().ifPresent(t -> body.put("validTo", t));
    return body;
  }

  /** One row of a model version: the embedding with its provenance. */
  static ObjectNode row(ObjectMapper json, EmbeddingRecord e) {
    ObjectNode body = json.createObjectNode()
        .put("modelId", e.getModelId())
        .put("id", e.getId())
        .put("modelVersion", e.getModelVersion())
        .put("modality", e.getModality().name())
        .put("dim", e.getDim())
        .put("normalized", e.getNormalized());
    ArrayNode vector = body.putArray("vector");
    e.getVector().forEach(vector::add);
    body.put("kind", e.getKind().name())
        .put("checkpointId", e.getCheckpointId())
        .put("configHash", e.getConfigHash())
        .put("eventTime", e.getEventTime().toEpochMilli())
        .put("emittedAt", e.getEmittedAt().toEpochMilli());
    body.putObject("source")
        .put("topic", e.getSourceTopic())
        .put("partition", e.getSourcePartition())
        .put("offset", e.getSourceOffset());
    return body;
  }

  /**
   * A ranking. {@code versions} are the model versions of the vectors ranked (one, unless the
   * caller asked for mixVersions); {@code partitions} the partitions it covered, this instance's
   * ({@code "scope": "local"}; {@link FanOutSearch} merges these into one over every instance).
   */
  static ObjectNode searchResult(ObjectMapper json, String modelId, SearchRequest request,
      VersionRule versions, NearestNeighbours.Result result, List<Integer> partitions) {
    ObjectNode body = json.createObjectNode()
        .put("modelId", modelId)
        .put("k", request.k());
    if (request.id() != null) {
      body.put("queryId", request.id());
    }
    body.put("versionRule", versions.kind().name());
    result.versions().forEach(body.putArray("versions")::add);
    body.put("ranked", result.ranked());
    if (result.unrankable() > 0) {
      body.put("unrankable", result.unrankable());
    }
    ArrayNode hits = body.putArray("results");
    for (NearestNeighbours.Hit hit : result.hits()) {
      hits.addObject()
          .put("id", hit.id())
          .put("modelVersion", hit.modelVersion())
          .put("score", hit.score());
    }
    partitions.forEach(body.putArray("partitions")::add);
    body.put("scope", "local");
    return body;
  }

  static float[] floats(List<Float> vector) {
    float[] v = new float[vector.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = vector.get(i);
    }
    return v;
  }
}
