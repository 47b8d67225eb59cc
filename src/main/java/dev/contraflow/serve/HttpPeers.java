package dev.contraflow.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/**
 * Peers over HTTP(S), as clients reach them: the same scheme, the same token (instances of one
 * table share it) and, with TLS, trusting the certificates of this instance's keystore. Each
 * request has the server's request timeout, so a stalled peer makes an answer partial, not late
 * forever.
 */
final class HttpPeers implements Peers {

  private final HttpClient http;
  private final HttpOptions options;
  private final BearerToken token;
  private final ObjectMapper json;

  HttpPeers(HttpOptions options, BearerToken token, ObjectMapper json) throws IOException {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(options.requestTimeout());
    if (options.tls()) {
      SSLContext trusting = TlsKeystore.context(options.tlsKeystore(), options.tlsPasswordFile());
      builder.sslContext(trusting);
    }
    this.http = builder.build();
    this.options = options;
    this.token = token;
    this.json = json;
  }

  @Override
  public CompletableFuture<Reply> search(Instances.Instance peer, String modelId,
      SearchRequest part) {
    byte[] body;
    try {
      body = json.writeValueAsBytes(part.toJson(json));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return send(request(peer, "/models/" + segment(modelId) + "/search")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Content-Type", "application/json"));
  }

  @Override
  public CompletableFuture<Reply> versions(Instances.Instance peer, String modelId) {
    return send(request(peer, "/models/" + segment(modelId) + "?local=true").GET());
  }

  @Override
  public CompletableFuture<Reply> row(Instances.Instance owner, EmbeddingKey key, Long version) {
    return send(request(owner, "/models/" + segment(key.modelId()) + "/embeddings/"
        + segment(key.id()) + (version == null ? "" : "?version=" + version)).GET());
  }

  private HttpRequest.Builder request(Instances.Instance peer, String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create(options.scheme() + "://" + peer.address() + path))
        .timeout(options.requestTimeout());
    if (token != null) {
      request.header("Authorization", token.header());
    }
    return request;
  }

  private CompletableFuture<Reply> send(HttpRequest.Builder request) {
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(response -> {
          try {
            return new Reply(response.statusCode(), json.readTree(response.body()));
          } catch (IOException e) {
            throw new UncheckedIOException("unreadable answer (HTTP " + response.statusCode()
                + ")", e);
          }
        });
  }

  /** One path segment, percent-encoded as the server decodes it (a space is %20, not +). */
  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
