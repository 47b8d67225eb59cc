package dev.contraflow.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** This instance serves every key but those of ids starting "remote-" (other:9090 does). */
final class OneOfTwoInstances implements Instances {

  volatile boolean serving = true;

  /** The other instance as an empty one: every search there finds nothing, every lookup misses. */
  static Peers emptyOther() {
    ObjectNode nothing = new ObjectMapper().createObjectNode().put("status", 404)
        .put("error", "nothing here");
    return new Peers() {
      @Override
      public CompletableFuture<Reply> search(Instance peer, String modelId, SearchRequest part) {
        return CompletableFuture.completedFuture(new Reply(404, nothing));
      }

      @Override
      public CompletableFuture<Reply> row(Instance owner, EmbeddingKey key, Long version) {
        return CompletableFuture.completedFuture(new Reply(404, nothing));
      }

      @Override
      public CompletableFuture<Reply> versions(Instance peer, String modelId) {
        return CompletableFuture.completedFuture(new Reply(404, nothing));
      }
    };
  }

  @Override
  public Optional<Instance> ownerElsewhere(EmbeddingKey key) {
    return key.id().startsWith("remote-") ? Optional.of(all().get(1)) : Optional.empty();
  }

  @Override
  public List<Instance> all() {
    return List.of(new Instance("localhost", 8080, true, List.of(0)),
        new Instance("other", 9090, false, List.of(1)));
  }

  @Override
  public List<Integer> localPartitions() {
    return List.of(0);
  }

  @Override
  public String state() {
    return serving ? "RUNNING" : "REBALANCING";
  }

  @Override
  public boolean serving() {
    return serving;
  }

  @Override
  public Map<String, Long> lag() {
    return Map.of("contraflow.embeddings-0", 0L);
  }
}
