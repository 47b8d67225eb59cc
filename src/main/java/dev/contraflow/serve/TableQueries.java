package dev.contraflow.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contraflow.avro.EmbeddingRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import org.apache.kafka.streams.state.VersionedRecord;

/**
 * What the embedding table answers, as JSON bodies, independent of HTTP: a lookup by key (now or
 * as of a time), a nearest-neighbour search by vector or by id, the health, counters and instances
 * of the Kafka Streams app. A question the table cannot answer is an {@link HttpProblem} that says
 * why (and, for a key of another instance's partition, which instance has it); {@link
 * EmbeddingServer} only routes requests here and writes the answers.
 */
final class TableQueries {

  // candidates asked of an index beyond k, so that one failing its check against the table
  // (replaced a moment ago) does not shorten the answer
  private static final int VERIFY_MARGIN = 4;

  private final LocalTable table;
  private final Instances instances;
  private final TableCounters counters;
  private final ObjectMapper json;

  TableQueries(LocalTable table, Instances instances, TableCounters counters, ObjectMapper json) {
    this.table = table;
    this.instances = instances;
    this.counters = counters;
    this.json = json;
  }

  /** The Kafka Streams state, e.g. RUNNING or REBALANCING. */
  String state() {
    return instances.state();
  }

  /** Whether the table can answer queries now (the app is RUNNING). */
  boolean serving() {
    return instances.serving();
  }

  ObjectNode health() {
    return json.createObjectNode()
        .put("state", instances.state())
        .put("serving", instances.serving());
  }

  ObjectNode metrics() {
    ObjectNode body = json.createObjectNode()
        .put("state", instances.state())
        .put("recordsRead", counters.read())
        .put("stored", counters.stored())
        .put("undecodable", counters.undecodable())
        .put("superseded", counters.superseded())
        .put("expired", counters.expired())
        .put("evicted", counters.evicted());
    if (instances.serving()) {
      body.put("storeSize", table.approximateSize());
    }
    ObjectNode lag = body.putObject("lag");
    instances.lag().forEach(lag::put);
    return body;
  }

  /**
   * The figures of {@link #metrics()} in Prometheus' text exposition format (version 0.0.4), for a
   * Prometheus server to scrape: counters end in {@code _total}, lag is labelled by partition.
   */
  String prometheusMetrics() {
    PrometheusText text = new PrometheusText("contraflow_serve_");
    text.gauge("up", "1 while the table answers queries (Kafka Streams RUNNING), else 0",
        instances.serving() ? 1 : 0);
    text.counter("records_read", "records taken from the embeddings topic", counters.read());
    text.counter("stored", "embeddings that became the newest row of their key",
        counters.stored());
    text.counter("undecodable", "values that were not a usable EmbeddingRecord",
        counters.undecodable());
    text.counter("superseded", "embeddings older than the version the table held",
        counters.superseded());
    text.counter("expired", "embeddings older than the history store's retention",
        counters.expired());
    text.counter("evicted", "rows of model versions no longer kept, deleted",
        counters.evicted());
    if (instances.serving()) {
      text.gauge("store_size", "approximate number of rows in the local store",
          table.approximateSize());
    }
    text.gaugeFamily("lag", "records of the embeddings topic not yet read, per partition",
        "partition", instances.lag());
    return text.toString();
  }

  ObjectNode instancesBody() {
    ObjectNode body = json.createObjectNode();
    ArrayNode all = body.putArray("instances");
    for (Instances.Instance i : instances.all()) {
      ObjectNode node = all.addObject()
          .put("address", i.address())
          .put("host", i.host())
          .put("port", i.port())
          .put("self", i.self());
      i.partitions().forEach(node.putArray("partitions")::add);
      i.standbyPartitions().forEach(node.putArray("standbyPartitions")::add);
    }
    return body;
  }

  /**
   * The row of {@code key}, or the one that was current at {@code asOf} (null for now); {@code
   * path} is the request's, for the redirect to the instance that has the key.
   */
  ObjectNode embedding(EmbeddingKey key, Instant asOf, String path) {
    VersionedRecord<EmbeddingRecord> row = table.get(key, asOf);
    if (row == null) {
      throw miss(key, asOf == null ? "" : " as of " + asOf + " (" + asOf.toEpochMilli()
          + "; older history than --history is not kept)", path);
    }
    ObjectNode body = EmbeddingJson.row(json, row);
    if (asOf != null) {
      body.put("asOf", asOf.toEpochMilli());
    }
    return body;
  }

  /** The key's row of one model version, when that version is kept here. */
  ObjectNode embeddingAt(EmbeddingKey key, long version, String path) {
    EmbeddingRecord row = table.row(key.modelId(), version, key.id());
    if (row == null) {
      throw miss(key, " at version " + version + " (versions kept: see GET /models/"
          + key.modelId() + ")", path);
    }
    return EmbeddingJson.row(json, row);
  }

  /**
   * The k nearest embeddings of {@code modelId} in this instance's partitions. Without a version
   * rule a search by vector ranks the version {@link VersionCatalog#current} names from what is
   * held here (a fan-out search names it from every instance's counts instead, and asks for it).
   */
  ObjectNode search(String modelId, SearchRequest request, String path) {
    float[] query = request.vector();
    VersionRule versions = request.versions();
    String excluded = request.excludeId();
    VersionCatalog.Current current = null;
    NavigableMap<Long, VersionCount> held = table.versions(modelId);
    if (request.id() != null) {
      EmbeddingRecord self = queryEmbedding(modelId, request.id(), versions, held, path);
      query = EmbeddingJson.floats(self.getVector());
      versions = versionsForId(self.getId(), self.getModelVersion(), versions);
      excluded = request.id();
    } else if (versions == null) {
      current = table.catalog().current(modelId, held, true);
      versions = current == null || current.choice() == VersionCatalog.Choice.NEWEST_SEEN
          ? VersionRule.newest() : VersionRule.only(current.version());
    }
    Long version = switch (versions.kind()) {
      case ONLY -> versions.version();
      case NEWEST -> held.isEmpty() ? null : held.lastKey();
      case MIXED -> null;
    };
    NearestNeighbours.Result result = request.exact() || version == null ? null
        : approximate(modelId, version, query, request.k(), excluded);
    String method = "hnsw";
    if (result == null) {
      result = exact(modelId, versions, version, query, request.k(), excluded, held);
      method = "exact";
    }
    explainEmpty(modelId, query, versions, request, result, held);
    ObjectNode body = EmbeddingJson.searchResult(json, modelId, request, versions, result,
        instances.localPartitions()).put("method", method);
    if (current != null) {
      body.put("versionChoice", current.choice().name());
    }
    return body;
  }

  /**
   * The versions of {@code modelId} this instance holds, each with its rows and refresh rows:
   * what a fan-out adds up over every instance to tell whether a version is complete.
   */
  ObjectNode heldVersions(String modelId) {
    ObjectNode body = json.createObjectNode().put("modelId", modelId);
    ArrayNode all = body.putArray("versions");
    table.versions(modelId).forEach((version, count) -> all.addObject()
        .put("version", version)
        .put("embeddings", count.rows())
        .put("refreshed", count.refreshed()));
    instances.localPartitions().forEach(body.putArray("partitions")::add);
    return body.put("scope", "local");
  }

  /**
   * Every vector of one version of the model held here, ranked; tells the indexes what it saw.
   * With {@code version} null, each id's newest row (mixed versions). A version the by-version
   * store no longer keeps (or a model it has nothing of: stores filled before it existed) is
   * answered as before versions were kept, from each id's newest row.
   */
  private NearestNeighbours.Result exact(String modelId, VersionRule rule, Long version,
      float[] query, int k, String excluded, NavigableMap<Long, VersionCount> held) {
    NearestNeighbours ranking = new NearestNeighbours(query, k,
        version == null ? rule : VersionRule.only(version), excluded);
    if (version == null || !held.containsKey(version)) {
      table.forEachLatest(modelId, ranking::offer);
      return ranking.result();
    }
    table.forEachOfVersion(modelId, version, ranking::offer);
    NearestNeighbours.Result result = ranking.result();
    if (result.ranked() > 0 && result.mismatch() == null) {
      table.indexes().afterScan(modelId, version, result.ranked(), query.length,
          table::forEachOfVersion);
    }
    return result;
  }

  /**
   * The ranking of {@code version} by its HNSW index, or null when none is ready for it. Each
   * candidate is checked against the version's row and scored from it: the index may lag the
   * table by the row being stored right now, and an answer must never hold a vector the table no
   * longer has.
   */
  private NearestNeighbours.Result approximate(String modelId, long version, float[] query, int k,
      String excluded) {
    VectorIndexes.Ready ready =
        table.indexes().forSearch(modelId, version, query.length).orElse(null);
    if (ready == null) {
      return null;
    }
    double queryNorm = NearestNeighbours.norm(query);
    List<NearestNeighbours.Hit> hits = new ArrayList<>(k);
    for (HnswIndex.Candidate c : ready.index().search(query, k + VERIFY_MARGIN, excluded,
        table.indexes().options().candidates())) {
      EmbeddingRecord row = table.row(modelId, version, c.id());
      if (row != null) {
        hits.add(new NearestNeighbours.Hit(c.id(), version,
            NearestNeighbours.cosine(query, queryNorm, row.getVector())));
      }
    }
    // in the exact ranking's order (rescored in double, ties by id), as fan-out merges expect
    hits.sort(Comparator.comparingDouble(NearestNeighbours.Hit::score).reversed()
        .thenComparing(NearestNeighbours.Hit::id));
    long size = ready.index().size();
    return new NearestNeighbours.Result(hits.subList(0, Math.min(k, hits.size())),
        List.of(version), size, size, null, version, version, 0);
  }

  /**
   * The query vector of a search by id: by default the id's row in the current complete version
   * when it has one there (so the search ranks that version), else its newest row.
   */
  private EmbeddingRecord queryEmbedding(String modelId, String id, VersionRule asked,
      NavigableMap<Long, VersionCount> held, String path) {
    if (asked == null) {
      VersionCatalog.Current current = table.catalog().current(modelId, held, true);
      if (current != null && current.choice() == VersionCatalog.Choice.COMPLETE) {
        EmbeddingRecord row = table.row(modelId, current.version(), id);
        if (row != null) {
          return row;
        }
      }
    }
    return queryEmbedding(new EmbeddingKey(modelId, id), path);
  }

  private EmbeddingRecord queryEmbedding(EmbeddingKey key, String path) {
    VersionedRecord<EmbeddingRecord> row = table.get(key, null);
    if (row == null) {
      throw miss(key, " to search by (search by its vector on the instance that has it)", path);
    }
    return row.value();
  }

  /** By id, the default is the query's own version: its vector is comparable with those only. */
  static VersionRule versionsForId(String id, long version, VersionRule asked) {
    if (asked == null) {
      return VersionRule.only(version);
    }
    if (asked.kind() == VersionRule.Kind.ONLY && asked.version() != version) {
      throw HttpProblem.badRequest("id " + id + " has model version "
          + version + " here, not " + asked.version() + ": its vector is not "
          + "comparable with version " + asked.version() + "'s; leave out \"version\" or set "
          + "\"mixVersions\": true");
    }
    return asked;
  }

  private static void explainEmpty(String modelId, float[] query, VersionRule versions,
      SearchRequest request, NearestNeighbours.Result result,
      NavigableMap<Long, VersionCount> held) {
    if (result.offered() == 0) {
      throw HttpProblem.notFound("no embeddings of model " + modelId
          + " in this instance's partitions (see GET /instances)");
    }
    if (result.mismatch() != null) {
      EmbeddingRecord other = result.mismatch();
      throw HttpProblem.badRequest("the query vector has " + query.length + " dimensions but"
          + " model " + modelId + " version " + other.getModelVersion() + " embeddings have "
          + other.getDim());
    }
    if (request.id() == null && versions.kind() == VersionRule.Kind.ONLY
        && result.ranked() == 0) {
      throw HttpProblem.notFound("no embeddings of model " + modelId + " at version "
          + versions.version() + " in this instance's partitions (versions held here: "
          + held.keySet() + "; see GET /models/" + modelId + ")");
    }
  }

  /** A lookup miss says which instance serves the key when it is not this one. */
  private HttpProblem miss(EmbeddingKey key, String what, String path) {
    String message = "no embedding of model " + key.modelId() + " for id " + key.id() + what;
    return instances.ownerElsewhere(key)
        .map(owner -> HttpProblem.elsewhere(message + " here: instance " + owner.address()
            + " serves its partition", owner, path))
        .orElseGet(() -> HttpProblem.notFound(message));
  }
}
