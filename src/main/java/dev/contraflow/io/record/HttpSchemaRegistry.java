package dev.contraflow.io.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

/**
 * A Confluent Schema Registry (or a compatible one: Karapace, Apicurio's ccompat API) reached
 * over its REST API with {@code java.net.http}, so no Confluent library is needed.
 *
 * <p>Only two calls: {@code GET /schemas/ids/{id}} and {@code POST /subjects/{subject}/versions}.
 * Both answers are cached for the life of the client, as Confluent's client does: an id never
 * changes its schema, and registering a schema again returns the same id. Unknown ids are not
 * cached, since they may be registered later.
 */
public final class HttpSchemaRegistry implements SchemaRegistry {

  private static final long serialVersionUID = 1L;

  /** Long enough for a registry under load, short enough that a dead one fails the job soon. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI baseUri;
  /** "Basic ..." from the user:password of the URL (how Confluent's basic auth is given), or null. */
  private final String authorization;
  private final Duration timeout;

  private final transient HttpClient client;
  private final transient Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final transient Map<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();

  /** A registry at {@code baseUri}, e.g. http://registry:8081, with {@link #DEFAULT_TIMEOUT}. */
  public HttpSchemaRegistry(URI baseUri) {
    this(baseUri, DEFAULT_TIMEOUT);
  }

  /** @param timeout for connecting and for each request */
  public HttpSchemaRegistry(URI baseUri, Duration timeout) {
    Objects.requireNonNull(baseUri, "baseUri must be the registry's URL, e.g. http://registry:8081");
    if (!"http".equals(baseUri.getScheme()) && !"https".equals(baseUri.getScheme())) {
      throw new IllegalArgumentException("registry URL must start with http:// or https://, got "
          + redacted(baseUri.toString()));
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, e.g. "
          + DEFAULT_TIMEOUT + ", got " + timeout);
    }
    String userInfo = baseUri.getUserInfo();
    URI withoutUser = URI.create(baseUri.toString().replaceFirst("//[^/@]*@", "//"));
    // resolve() replaces the last path segment unless the path ends in a slash.
    this.baseUri = withoutUser.getPath().endsWith("/") ? withoutUser
        : URI.create(withoutUser + "/");
    this.authorization = userInfo == null ? null : "Basic " + Base64.getEncoder()
        .encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** A deserialized copy: the fields as they were, with a new client and empty caches. */
  private HttpSchemaRegistry(HttpSchemaRegistry sent) {
    this.baseUri = sent.baseUri;
    this.authorization = sent.authorization;
    this.timeout = sent.timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public Schema schemaById(int id) throws UnknownSchemaIdException {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    HttpResponse<String> response = send(HttpRequest.newBuilder(resolve("schemas/ids/" + id))
        .GET());
    if (response.statusCode() == 404) {
      throw new UnknownSchemaIdException(id, "unknown schema id " + id + " in registry "
          + location());
    }
    JsonNode answer = answer(response, "schema id " + id);
    String type = answer.path("schemaType").asText("AVRO");
    if (!"AVRO".equals(type)) {
      throw new UnknownSchemaIdException(id, "schema id " + id + " in registry " + location()
          + " is a " + type + " schema, not Avro");
    }
    Schema schema = parse(id, answer.path("schema").asText());
    schemasById.put(id, schema);
    return schema;
  }

  private Schema parse(int id, String text) throws UnknownSchemaIdException {
    try {
      return new Schema.Parser().parse(text);
    } catch (AvroRuntimeException e) {
      // Schemas with references to other subjects end up here too: not supported.
      throw new UnknownSchemaIdException(id, "schema id " + id + " in registry " + location()
          + " is not an Avro schema this reader can parse: " + e.getMessage());
    }
  }

  @Override
  public int register(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(Objects.requireNonNull(subject, "subject"),
        Objects.requireNonNull(schema, "schema"));
    Integer cached = ids.get(key);
    if (cached != null) {
      return cached;
    }
    String body = JSON.createObjectNode().put("schema", schema.toString()).toString();
    String path = "subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8)
        .replace("+", "%20") + "/versions";
    HttpResponse<String> response = send(HttpRequest.newBuilder(resolve(path))
        .header("Content-Type", CONTENT_TYPE)
        .POST(HttpRequest.BodyPublishers.ofString(body)));
    JsonNode id = answer(response, "schema " + schema.getFullName() + " for subject " + subject)
        .path("id");
    if (!id.canConvertToInt()) {
      throw new SchemaRegistryException("registry " + location() + " answered the registration of "
          + schema.getFullName() + " without an id: " + response.body());
    }
    ids.put(key, id.intValue());
    schemasById.putIfAbsent(id.intValue(), schema);
    return id.intValue();
  }

  /**
   * {@code url} with the user:password of its authority masked, for logs and messages: a
   * registry URL may carry basic-auth credentials, as {@code records.schemaRegistryUrl} does.
   */
  public static String redacted(String url) {
    return url == null ? null
        : url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", "$1******@");
  }

  @Override
  public String location() {
    String uri = baseUri.toString();
    return uri.substring(0, uri.length() - 1);
  }

  @Override
  public String toString() {
    return "schema registry " + location();
  }

  private URI resolve(String path) {
    return baseUri.resolve(path);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    request.timeout(timeout).header("Accept", CONTENT_TYPE);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpRequest built = request.build();
    try {
      return client.send(built, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new SchemaRegistryException("registry " + location() + " could not be reached ("
          + built.method() + " " + built.uri() + "): " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException("interrupted while asking registry " + location(), e);
    }
  }

  /** The JSON of a 200 answer; any other status is the registry's failure, with its message. */
  private JsonNode answer(HttpResponse<String> response, String about) {
    if (response.statusCode() != 200) {
      throw new SchemaRegistryException("registry " + location() + " answered HTTP "
          + response.statusCode() + " about " + about + ": " + errorMessage(response.body())
          + (response.statusCode() == 409 ? " (incompatible with the subject's earlier versions "
              + "under its compatibility setting: give new fields defaults)" : ""));
    }
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new SchemaRegistryException("registry " + location() + " answered about " + about
          + " with something that is not JSON: " + response.body(), e);
    }
  }

  /** Confluent errors are {"error_code": 40901, "message": "..."}; other servers send text. */
  private static String errorMessage(String body) {
    try {
      JsonNode message = JSON.readTree(body).path("message");
      return message.isTextual() ? message.asText() : body;
    } catch (IOException e) {
      return body;
    }
  }

  /** Transient parts are the HTTP client and the caches: a deserialized client starts afresh. */
  private Object readResolve() {
    return new HttpSchemaRegistry(this);
  }

  private record SubjectSchema(String subject, Schema schema) { }
}
