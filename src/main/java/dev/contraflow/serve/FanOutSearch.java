package dev.contraflow.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contraflow.avro.CheckpointStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * A search over the whole table from any instance (issue 14): every instance ranks its own
 * partitions ({@code "local": true}), this one merges the top-k by score, and the answer lists
 * the partitions that answered. An instance that cannot be asked, or fails, makes the answer
 * {@code "partial": true} with its partitions under {@code "missingPartitions"}: a partial answer
 * is the best of what answered, never a wrong one presented as whole.
 *
 * <p>Without a version rule, a search by vector ranks the model's current version: every
 * instance says which versions it holds and how many rows of each ({@code GET
 * /models/{id}?local=true}), and {@link VersionCatalog#current} picks the newest version the job
 * called complete whose embeddings the instances hold all of, or, before there is one, the newest
 * version seen; the search then asks every instance for that version. So the switch to a new
 * version is atomic for a reader: it sees all of one version. {@link #model} answers {@code GET
 * /models/{id}} from the same counts.
 *
 * <p>Versions merge as one search would rank them: under the newest-version rule only the parts
 * whose newest version is the newest anywhere count (an instance holding only older vectors has
 * nothing comparable to offer); a fixed version or mixVersions merges every part. A search by id
 * first finds the id's vector (here, or at the instance serving its partition) and then searches
 * by that vector, leaving the id out.
 */
final class FanOutSearch {

  /** This instance's own part, run on its bounded workers. */
  interface LocalPart {
    ObjectNode search(SearchRequest localRequest);

    /** The key's current row here, or its row of {@code version} (null: current). */
    ObjectNode row(EmbeddingKey key, Long version);

    /** The versions this instance holds, as {@link TableQueries#heldVersions} answers. */
    ObjectNode heldVersions();
  }

  /** The versions every instance that answered holds, summed, and who did not answer. */
  private record Held(NavigableMap<Long, VersionCount> versions, List<Part> parts) {

    boolean whole() {
      return parts.stream().allMatch(p -> p.failure() == null);
    }
  }

  /**
   * What one instance answered: a ranking, nothing (no embeddings there: {@code answer} null),
   * or a {@code failure} that makes the whole answer partial. Its partitions are those Kafka
   * Streams' metadata assigned it when the search began.
   */
  private record Part(Instances.Instance instance, JsonNode answer, String failure) {

    List<Integer> partitions() {
      return instance.partitions();
    }
  }

  private record Hit(String id, long modelVersion, double score) {
  }

  // Best first; ties by id, as NearestNeighbours breaks them.
  private static final Comparator<Hit> BEST_FIRST = Comparator.comparingDouble(Hit::score)
      .reversed().thenComparing(Hit::id);

  private final Instances instances;
  private final Peers peers;
  private final VersionCatalog catalog;
  private final ObjectMapper json;

  FanOutSearch(Instances instances, Peers peers, VersionCatalog catalog, ObjectMapper json) {
    this.instances = instances;
    this.peers = peers;
    this.catalog = catalog;
    this.json = json;
  }

  ObjectNode search(String modelId, SearchRequest request, LocalPart local) {
    List<Instances.Instance> all = instances.all();
    List<Instances.Instance> others = all.stream()
        .filter(i -> !i.self() && !i.partitions().isEmpty()).toList();
    if (request.local()) {
      return local.search(request);
    }
    if (others.isEmpty()) {
      return local.search(request).put("scope", "all").put("partial", false);
    }
    VersionCatalog.Current current = null;
    if (request.id() == null && request.versions() == null) {
      Held held = held(modelId, local, all);
      current = catalog.current(modelId, held.versions(), held.whole());
      request = request.withVersions(current == null
          || current.choice() == VersionCatalog.Choice.NEWEST_SEEN
          ? VersionRule.newest() : VersionRule.only(current.version()));
    }
    SearchRequest part = request.id() == null
        ? SearchRequest.localPart(request.vector(), request.k(), request.versions(),
            request.excludeId(), request.exact())
        : byVectorOf(modelId, request, local, all);
    Map<Instances.Instance, CompletableFuture<Peers.Reply>> asked = new LinkedHashMap<>();
    for (Instances.Instance peer : others) {
      asked.put(peer, ask(() -> peers.search(peer, modelId, part)));
    }
    List<Part> parts = new ArrayList<>();
    Instances.Instance self = all.stream().filter(Instances.Instance::self).findFirst()
        .orElse(new Instances.Instance("self", 0, true, instances.localPartitions()));
    parts.add(localPart(self, local, part));
    asked.forEach((peer, reply) -> parts.add(peerPart(peer, reply)));
    ObjectNode body = merge(modelId, request, part.versions() == null ? VersionRule.newest()
        : part.versions(), parts);
    if (current != null) {
      body.put("versionChoice", current.choice().name());
    }
    return body;
  }

  /**
   * {@code GET /models/{id}}: the versions held over every instance, each with its count and
   * state, newest first, and which one the default search answers from. Versions the job
   * published, rejected or completed after the oldest one held are listed even when none of their
   * rows is held (a rejected version's are evicted).
   */
  ObjectNode model(String modelId, LocalPart local) {
    Held held = held(modelId, local, instances.all());
    VersionCatalog.Current current = catalog.current(modelId, held.versions(), held.whole());
    NavigableMap<Long, VersionCatalog.Status> statuses = catalog.statuses(modelId);
    TreeSet<Long> listed = new TreeSet<>(held.versions().keySet());
    if (!held.versions().isEmpty()) {
      listed.addAll(statuses.tailMap(held.versions().firstKey(), true).keySet());
    }
    if (listed.isEmpty() && statuses.isEmpty()) {
      throw HttpProblem.notFound("no embeddings and no checkpoints of model " + modelId);
    }
    ObjectNode body = json.createObjectNode().put("modelId", modelId);
    if (current == null) {
      body.putNull("current");
    } else {
      body.put("current", current.version()).put("versionChoice", current.choice().name());
    }
    body.put("keepVersions", catalog.keepVersions());
    ArrayNode versions = body.putArray("versions");
    for (long v : listed.descendingSet()) {
      VersionCount count = held.versions().getOrDefault(v, VersionCount.NONE);
      VersionCatalog.Status status = statuses.get(v);
      ObjectNode node = versions.addObject().put("version", v)
          .put("embeddings", count.rows())
          .put("refreshed", count.refreshed())
          .put("state", state(status, count, held.whole()));
      if (status != null && status.embeddings() != null) {
        node.put("expected", status.embeddings());
      }
      if (status != null && status.reason() != null) {
        node.put("reason", status.reason());
      }
      node.put("current", current != null && current.version() == v);
    }
    List<Part> answered = held.parts().stream().filter(p -> p.failure() == null).toList();
    List<Part> missing = held.parts().stream().filter(p -> p.failure() != null).toList();
    partitionsOf(answered).forEach(body.putArray("partitions")::add);
    body.put("scope", "all").put("partial", !missing.isEmpty());
    partitionsOf(missing).forEach(body.putArray("missingPartitions")::add);
    return body;
  }

  /**
   * COMPLETE (every refresh embedding here), FILLING (a refresh's embeddings are arriving),
   * PUBLISHED (its refresh has not begun), REJECTED (a health gate failed; never current), or
   * SEEN (embeddings of new records only, no checkpoint record of it).
   */
  private static String state(VersionCatalog.Status status, VersionCount count, boolean whole) {
    if (VersionCatalog.isComplete(status, count, whole)) {
      return "COMPLETE";
    }
    if (status != null && status.status() == CheckpointStatus.REJECTED) {
      return "REJECTED";
    }
    if (count.refreshed() > 0 || (status != null
        && status.status() == CheckpointStatus.COMPLETE)) {
      return "FILLING";
    }
    return status != null ? "PUBLISHED" : "SEEN";
  }

  /** Every instance's held versions, summed; one that fails to say makes the sum partial. */
  private Held held(String modelId, LocalPart local, List<Instances.Instance> all) {
    Map<Instances.Instance, CompletableFuture<Peers.Reply>> asked = new LinkedHashMap<>();
    for (Instances.Instance peer : all) {
      if (!peer.self() && !peer.partitions().isEmpty()) {
        asked.put(peer, ask(() -> peers.versions(peer, modelId)));
      }
    }
    List<Part> parts = new ArrayList<>();
    Instances.Instance self = all.stream().filter(Instances.Instance::self).findFirst()
        .orElse(new Instances.Instance("self", 0, true, instances.localPartitions()));
    try {
      parts.add(new Part(self, local.heldVersions(), null));
    } catch (HttpProblem p) {
      parts.add(new Part(self, null, p.getMessage()));
    } catch (InvalidStateStoreException e) {
      parts.add(new Part(self, null, "stores not ready: " + e.getMessage()));
    }
    asked.forEach((peer, reply) -> parts.add(peerPart(peer, reply)));
    NavigableMap<Long, VersionCount> sum = new TreeMap<>();
    for (Part p : parts) {
      if (p.answer() != null) {
        p.answer().path("versions").forEach(v -> sum.merge(v.get("version").asLong(),
            new VersionCount(v.get("embeddings").asLong(), v.get("refreshed").asLong()),
            VersionCount::plus));
      }
    }
    return new Held(sum, parts);
  }

  /**
   * The search by id as a search by the id's vector: by default its row in the current complete
   * version when it has one there (so that version is ranked), else its newest row, whose own
   * version is ranked.
   */
  private SearchRequest byVectorOf(String modelId, SearchRequest request, LocalPart local,
      List<Instances.Instance> all) {
    EmbeddingKey key = new EmbeddingKey(modelId, request.id());
    JsonNode row = null;
    if (request.versions() == null) {
      Held held = held(modelId, local, all);
      VersionCatalog.Current current = catalog.current(modelId, held.versions(), held.whole());
      if (current != null && current.choice() == VersionCatalog.Choice.COMPLETE) {
        row = rowOf(key, current.version(), local, all);
      }
    }
    if (row == null) {
      row = rowOf(key, null, local, all);
    }
    float[] vector = new float[row.get("vector").size()];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = row.get("vector").get(i).floatValue();
    }
    VersionRule versions = TableQueries.versionsForId(request.id(),
        row.get("modelVersion").asLong(), request.versions());
    return SearchRequest.localPart(vector, request.k(), versions, request.id(),
        request.exact());
  }

  /**
   * The key's row (of {@code version}, or its current one for null), here or from the instance
   * that serves its partition; null when a version's row is nowhere.
   */
  private JsonNode rowOf(EmbeddingKey key, Long version, LocalPart local,
      List<Instances.Instance> all) {
    try {
      return local.row(key, version);
    } catch (HttpProblem miss) {
      String owner = miss.details.get("owner");
      Instances.Instance at = all.stream().filter(i -> i.address().equals(owner)).findFirst()
          .orElse(null);
      if (at == null) {
        if (version != null && miss.status == 404) {
          return null;
        }
        throw miss;
      }
      Peers.Reply reply = ask(() -> peers.row(at, key, version)).exceptionally(e -> null)
          .join();
      if (reply != null && reply.status() == 404 && version != null) {
        return null;
      }
      if (reply == null || reply.status() != 200) {
        throw HttpProblem.unavailable("no embedding of model " + key.modelId() + " for id "
            + key.id() + " to search by: instance " + owner + " serves its partition and "
            + "did not give it (" + (reply == null ? "unreachable" : "HTTP " + reply.status())
            + ")");
      }
      return reply.body();
    }
  }

  private static Part localPart(Instances.Instance self, LocalPart local, SearchRequest part) {
    try {
      return new Part(self, local.search(part), null);
    } catch (HttpProblem p) {
      return switch (p.status) {
        case 404 -> new Part(self, null, null);
        case 400 -> throw p;
        default -> new Part(self, null, p.getMessage());
      };
    } catch (InvalidStateStoreException e) {
      return new Part(self, null, "stores not ready: " + e.getMessage());
    }
  }

  private static Part peerPart(Instances.Instance peer,
      CompletableFuture<Peers.Reply> pending) {
    Peers.Reply reply;
    try {
      reply = pending.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return new Part(peer, null, "unreachable: " + cause.getClass().getSimpleName()
          + (cause.getMessage() == null ? "" : " " + cause.getMessage()));
    }
    return switch (reply.status()) {
      case 200 -> new Part(peer, reply.body(), null);
      case 404 -> new Part(peer, null, null);
      case 400 -> throw HttpProblem.badRequest("instance " + peer.address() + ": "
          + reply.body().path("error").asText());
      default -> new Part(peer, null, "HTTP " + reply.status() + ": "
          + reply.body().path("error").asText());
    };
  }

  /** A request that throws before it is sent fails like one that could not be sent. */
  private static CompletableFuture<Peers.Reply> ask(
      java.util.function.Supplier<CompletableFuture<Peers.Reply>> request) {
    try {
      return request.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private ObjectNode merge(String modelId, SearchRequest request, VersionRule versions,
      List<Part> parts) {
    List<Part> answered = parts.stream().filter(p -> p.failure() == null).toList();
    List<Part> missing = parts.stream().filter(p -> p.failure() != null).toList();
    List<Part> ranked = answered.stream().filter(p -> p.answer() != null).toList();
    if (versions.kind() == VersionRule.Kind.NEWEST && !ranked.isEmpty()) {
      long newest = ranked.stream().mapToLong(p -> newestOf(p.answer())).max().orElseThrow();
      ranked = ranked.stream().filter(p -> newestOf(p.answer()) == newest).toList();
    }
    // by id, an empty ranking is an answer: nothing else is of the id's version
    if (ranked.isEmpty() && (request.id() == null || !missing.isEmpty())) {
      String what = "no embeddings of model " + modelId
          + (versions.kind() == VersionRule.Kind.ONLY ? " at version " + versions.version() : "");
      if (missing.isEmpty()) {
        throw HttpProblem.notFound(what + " in any instance's partitions");
      }
      throw HttpProblem.unavailable(what + " in the partitions that answered ("
          + partitionsOf(answered) + "); partitions " + partitionsOf(missing)
          + " did not answer: " + reasons(missing));
    }
    List<Hit> hits = new ArrayList<>();
    TreeSet<Long> rankedVersions = new TreeSet<>();
    TreeSet<String> methods = new TreeSet<>();
    long rankedCount = 0;
    for (Part p : ranked) {
      methods.add(p.answer().path("method").asText("exact"));
      p.answer().get("results").forEach(h -> hits.add(new Hit(h.get("id").asText(),
          h.get("modelVersion").asLong(), h.get("score").asDouble())));
      p.answer().get("versions").forEach(v -> rankedVersions.add(v.asLong()));
      rankedCount += p.answer().path("ranked").asLong();
    }
    hits.sort(BEST_FIRST);

    ObjectNode body = json.createObjectNode().put("modelId", modelId).put("k", request.k());
    if (request.id() != null) {
      body.put("queryId", request.id());
    }
    body.put("versionRule", versions.kind().name());
    if (versions.kind() == VersionRule.Kind.ONLY) {
      rankedVersions.add(versions.version());
    }
    rankedVersions.forEach(body.putArray("versions")::add);
    body.put("ranked", rankedCount);
    // "exact", "hnsw", or "exact+hnsw" when instances ranked their parts differently
    body.put("method", methods.isEmpty() ? "exact" : String.join("+", methods));
    ArrayNode results = body.putArray("results");
    hits.stream().limit(request.k()).forEach(h -> results.addObject().put("id", h.id())
        .put("modelVersion", h.modelVersion()).put("score", h.score()));
    partitionsOf(answered).forEach(body.putArray("partitions")::add);
    body.put("scope", "all").put("partial", !missing.isEmpty());
    partitionsOf(missing).forEach(body.putArray("missingPartitions")::add);
    ArrayNode why = body.putArray("missing");
    missing.forEach(p -> why.addObject().put("instance", p.instance().address())
        .put("reason", p.failure()));
    return body;
  }

  private static long newestOf(JsonNode answer) {
    JsonNode versions = answer.get("versions");
    return versions == null || versions.isEmpty() ? Long.MIN_VALUE
        : versions.get(versions.size() - 1).asLong();
  }

  private static List<Integer> partitionsOf(List<Part> parts) {
    TreeSet<Integer> partitions = new TreeSet<>();
    parts.forEach(p -> partitions.addAll(p.partitions()));
    return List.copyOf(partitions);
  }

  private static String reasons(List<Part> parts) {
    return String.join("; ", parts.stream()
        .map(p -> p.instance().address() + " " + p.failure()).toList());
  }
}
