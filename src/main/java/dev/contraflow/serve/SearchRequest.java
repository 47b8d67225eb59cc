package dev.contraflow.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;

/**
 * The body of {@code POST /models/{modelId}/search}, checked field by field:
 * {@code {"vector": [...], "k": 10}} or {@code {"id": "...", "k": 10}}, with an optional
 * {@code "version": N}, {@code "version": "newest"} or {@code "mixVersions": true}, an optional
 * {@code "exact": true} (scan every vector even where an approximate index would answer), and
 * the two fields instances send each other in a fan-out search: {@code "local": true} (rank this instance's partitions only) and
 * {@code "excludeId": "..."} (leave that id out: the query's own, in a search by id).
 *
 * @param vector the query vector, or null in a search by id
 * @param id the id whose embedding is the query, or null in a search by vector
 * @param versions which model versions to rank; null means the default of the search kind (the
 *     model's current version by vector, see {@link VersionCatalog}; by id, the id's row of it)
 * @param excludeId an id never returned, or null
 * @param local whether to rank this instance's partitions only, rather than every instance's
 * @param exact whether to rank by an exact scan even where an approximate index exists
 */
record SearchRequest(float[] vector, String id, int k, VersionRule versions, String excludeId,
    boolean local, boolean exact) {

  static final int DEFAULT_K = 10;
  static final int MAX_K = 1000;
  /** {@code "version": "newest"}: the newest version seen, whether complete or not. */
  static final String NEWEST = "newest";

  private static final Set<String> FIELDS = Set.of("vector", "id", "k", "version", "mixVersions",
      "excludeId", "local", "exact");

  static SearchRequest parse(byte[] body, ObjectMapper json) {
    JsonNode root = readObject(body, json);
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw HttpProblem.badRequest("unknown field \"" + name + "\": use " + FIELDS);
      }
    }
    if (root.has("vector") == root.has("id")) {
      throw HttpProblem.badRequest(
          "give exactly one of \"vector\" (an array of numbers) or \"id\" (a string)");
    }
    float[] vector = root.has("vector") ? vector(root.get("vector")) : null;
    String id = root.has("id") ? id(root.get("id")) : null;
    return new SearchRequest(vector, id, k(root.get("k")), versions(root),
        root.has("excludeId") ? id(root.get("excludeId")) : null, flag(root, "local"),
        flag(root, "exact"));
  }

  /**
   * What one instance asks another in a fan-out: this vector, ranked in its partitions only, by
   * the given version rule, leaving {@code excludeId} out.
   */
  static SearchRequest localPart(float[] vector, int k, VersionRule versions, String excludeId,
      boolean exact) {
    return new SearchRequest(vector, null, k, versions, excludeId, true, exact);
  }

  /** The same search by another version rule. */
  SearchRequest withVersions(VersionRule rule) {
    return new SearchRequest(vector, id, k, rule, excludeId, local, exact);
  }

  /** The request's JSON body, as {@link #parse} reads it. */
  ObjectNode toJson(ObjectMapper json) {
    ObjectNode body = json.createObjectNode();
    if (vector != null) {
      ArrayNode v = body.putArray("vector");
      for (float x : vector) {
        v.add(x);
      }
    } else {
      body.put("id", id);
    }
    body.put("k", k);
    if (versions != null && versions.kind() == VersionRule.Kind.ONLY) {
      body.put("version", versions.version());
    } else if (versions != null && versions.kind() == VersionRule.Kind.NEWEST) {
      body.put("version", NEWEST);
    } else if (versions != null && versions.kind() == VersionRule.Kind.MIXED) {
      body.put("mixVersions", true);
    }
    if (excludeId != null) {
      body.put("excludeId", excludeId);
    }
    if (exact) {
      body.put("exact", true);
    }
    return body.put("local", local);
  }

  private static boolean flag(JsonNode root, String name) {
    JsonNode flag = root.get(name);
    if (flag != null && !flag.isBoolean()) {
      throw HttpProblem.badRequest("\"" + name + "\" must be true or false, got " + flag);
    }
    return flag != null && flag.booleanValue();
  }

  private static JsonNode readObject(byte[] body, ObjectMapper json) {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (JsonProcessingException e) {
      throw HttpProblem.badRequest("malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw HttpProblem.badRequest("unreadable body: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw HttpProblem.badRequest("the body must be a JSON object, e.g. "
          + "{\"vector\": [0.6, 0.8], \"k\": 10}");
    }
    return root;
  }

  private static float[] vector(JsonNode node) {
    if (!node.isArray() || node.isEmpty()) {
      throw HttpProblem.badRequest("\"vector\" must be a non-empty array of numbers");
    }
    float[] v = new float[node.size()];
    for (int i = 0; i < v.length; i++) {
      JsonNode x = node.get(i);
      v[i] = x.floatValue();
      if (!x.isNumber() || !Float.isFinite(v[i])) {
        throw HttpProblem.badRequest("\"vector\"[" + i + "] = " + x
            + " is not a finite float");
      }
    }
    if (NearestNeighbours.norm(v) == 0) {
      throw HttpProblem.badRequest("\"vector\" is all zeros: it has no direction to compare");
    }
    return v;
  }

  private static String id(JsonNode node) {
    if (!node.isTextual() || node.textValue().isEmpty()) {
      throw HttpProblem.badRequest("\"id\" must be a non-empty string, got " + node);
    }
    return node.textValue();
  }

  private static int k(JsonNode node) {
    if (node == null) {
      return DEFAULT_K;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1
        || node.intValue() > MAX_K) {
      throw HttpProblem.badRequest("\"k\" = " + node + " is out of range: use 1.." + MAX_K);
    }
    return node.intValue();
  }

  private static VersionRule versions(JsonNode root) {
    JsonNode version = root.get("version");
    JsonNode mix = root.get("mixVersions");
    if (mix != null && !mix.isBoolean()) {
      throw HttpProblem.badRequest("\"mixVersions\" must be true or false, got " + mix);
    }
    boolean mixed = mix != null && mix.booleanValue();
    if (version == null) {
      return mixed ? VersionRule.mixed() : null;
    }
    if (mixed) {
      throw HttpProblem.badRequest("give \"version\" or \"mixVersions\": true, not both");
    }
    if (version.isTextual() && version.textValue().equals(NEWEST)) {
      return VersionRule.newest();
    }
    if (!version.isIntegralNumber() || !version.canConvertToLong() || version.longValue() < 0) {
      throw HttpProblem.badRequest("\"version\" = " + version
          + " is invalid: give a model version (a step count >= 0), or \"" + NEWEST
          + "\" for the newest version seen, complete or not");
    }
    return VersionRule.only(version.longValue());
  }
}
