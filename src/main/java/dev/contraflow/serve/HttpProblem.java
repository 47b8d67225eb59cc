package dev.contraflow.serve;

import java.util.Map;

/**
 * A request the table cannot answer, with the status and a message for the caller: thrown by
 * request parsing and handlers, turned into a JSON error body by {@link EmbeddingServer}.
 */
final class HttpProblem extends RuntimeException {

  private static final long serialVersionUID = 1L;

  final int status;
  final transient Map<String, String> details;

  private HttpProblem(int status, String message, Map<String, String> details) {
    super(message);
    this.status = status;
    this.details = details;
  }

  static HttpProblem badRequest(String message) {
    return new HttpProblem(400, message, Map.of());
  }

  static HttpProblem notFound(String message) {
    return new HttpProblem(404, message, Map.of());
  }

  /** Not here, but another instance serves the key: say which. */
  static HttpProblem elsewhere(String message, Instances.Instance owner, String path) {
    return new HttpProblem(404, message, Map.of("owner", owner.address(),
        "ownerUrl", "http://" + owner.address() + path));
  }

  static HttpProblem methodNotAllowed(String method, String allowed) {
    return new HttpProblem(405, method + " is not allowed here: use " + allowed,
        Map.of("allow", allowed));
  }

  static HttpProblem tooLarge(long limit) {
    return new HttpProblem(413, "request body over " + limit + " bytes", Map.of());
  }

  /** Too much to do now (pool full, deadline passed): retry shortly. */
  static HttpProblem busy(String message) {
    return new HttpProblem(503, message, Map.of("retryAfter", "1"));
  }

  static HttpProblem unauthorized(String message) {
    return new HttpProblem(401, message, Map.of());
  }

  /** The table cannot answer yet (starting, rebalancing, restoring): retry later. */
  static HttpProblem unavailable(String message) {
    return new HttpProblem(503, message, Map.of());
  }
}
