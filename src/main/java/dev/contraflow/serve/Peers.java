package dev.contraflow.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;

/** How one instance asks another of the same table for its part of an answer. */
interface Peers {

  /** A peer's answer: its HTTP status and JSON body. */
  record Reply(int status, JsonNode body) {
  }

  /** The peer's ranking of its own partitions; completes exceptionally when it cannot be asked. */
  CompletableFuture<Reply> search(Instances.Instance peer, String modelId, SearchRequest part);

  /** The versions of the model the peer holds in its partitions, with their counts. */
  CompletableFuture<Reply> versions(Instances.Instance peer, String modelId);

  /**
   * The key's current row at the instance that serves its partition, or its row of model version
   * {@code version} (null: the current row).
   */
  CompletableFuture<Reply> row(Instances.Instance owner, EmbeddingKey key, Long version);
}
