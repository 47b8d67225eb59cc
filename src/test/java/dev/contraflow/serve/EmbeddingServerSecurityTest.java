package dev.contraflow.serve;

import static dev.contraflow.serve.TableDriver.embedding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.TestKeystores;
import dev.contraflow.serve.ServeClient.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer-token authentication and TLS (issue 14): with {@code --auth-token-file} every request
 * but {@code /health} needs the token; with {@code --tls-keystore} the server speaks HTTPS only.
 * The keystore is generated at test time with the JDK's keytool; nothing secret is committed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddingServerSecurityTest {

  private static final String TOKEN = "s3cret-token-0123456789abcdef";

  private Path dir;
  private TableDriver table;
  private final OneOfTwoInstances instances = new OneOfTwoInstances();

  @BeforeAll
  void fill(@TempDir Path dir) {
    this.dir = dir;
    table = new TableDriver(dir.resolve("state"));
    table.pipe(embedding("m", "east", 1, 1, 0), 1_000);
  }

  @AfterAll
  void close() {
    table.close();
  }

  @Test
  void withATokenEveryRequestButHealthMustCarryIt() throws Exception {
    HttpOptions options = HttpOptions.defaults().withAuthTokenFile(write("token", TOKEN + "\n"));
    try (EmbeddingServer server = start(options)) {
      ServeClient anonymous = new ServeClient(server.port());
      Reply refused = anonymous.get("/models/m/embeddings/east");
      assertEquals(401, refused.status());
      assertEquals("Bearer realm=\"contraflow\"",
          refused.headers().firstValue("WWW-Authenticate").orElse(null));
      assertTrue(refused.body().get("error").asText().contains("bearer token"));
      for (String wrong : List.of("Bearer " + TOKEN + "x", "Bearer " + TOKEN.substring(1),
          "Basic " + TOKEN, TOKEN)) {
        assertEquals(401, anonymous.withAuthorization(wrong).get("/instances").status(), wrong);
      }
      assertEquals(401, anonymous.send("POST", "/models/m/search", "{\"vector\": [1, 0]}")
          .status());

      assertEquals(200, anonymous.get("/health").status(), "/health is open, for probes");
      ServeClient allowed = anonymous.withAuthorization("Bearer " + TOKEN);
      assertEquals("east", allowed.get("/models/m/embeddings/east").ok().get("id").asText());
      assertEquals(200, allowed.get("/metrics").status());
    }
  }

  @Test
  void aShortTokenIsRefusedAtStartWithTheRemedy() throws Exception {
    HttpOptions options = HttpOptions.defaults().withAuthTokenFile(write("short", "abc\n"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> start(options).close());
    assertTrue(e.getMessage().contains("at least 16"), e.getMessage());
  }

  @Test
  void withAKeystoreTheServerSpeaksHttpsToClientsThatTrustIt() throws Exception {
    Path keystore = dir.resolve("serve.p12");
    Path password = write("password", "changeit-please\n");
    keytool(keystore, "changeit-please");
    HttpOptions options = HttpOptions.defaults().withTls(keystore, password);
    try (EmbeddingServer server = start(options)) {
      SSLContext trusting = TlsKeystore.context(keystore, password);
      ServeClient https = new ServeClient(URI.create("https://127.0.0.1:" + server.port()),
          HttpClient.newBuilder().sslContext(trusting).build(), null);
      assertEquals("east", https.get("/models/m/embeddings/east").ok().get("id").asText());

      ServeClient plain = new ServeClient(server.port());
      assertThrows(IOException.class, () -> plain.get("/health"), "plain HTTP was answered");
      ServeClient untrusting = new ServeClient(URI.create("https://127.0.0.1:" + server.port()),
          HttpClient.newHttpClient(), null);
      assertThrows(IOException.class, () -> untrusting.get("/health"),
          "a client that does not trust the certificate was answered");
    }
  }

  @Test
  void aWrongKeystorePasswordIsOneLineThatNamesTheOption() throws Exception {
    Path keystore = dir.resolve("other.p12");
    keytool(keystore, "right-password");
    HttpOptions options = HttpOptions.defaults().withTls(keystore, write("wrong", "wrong\n"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EmbeddingServer.bind(options, 0));
    assertTrue(e.getMessage().startsWith("--tls-keystore = " + keystore), e.getMessage());
  }

  // --- helpers

  private EmbeddingServer start(HttpOptions options) throws IOException {
    return EmbeddingServer.start(EmbeddingServer.bind(options, 0), options, table.table(),
        instances, table.counters, OneOfTwoInstances.emptyOther());
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  /** A self-signed key pair for 127.0.0.1 and localhost, made by the JDK's own keytool. */
  static void keytool(Path keystore, String password) throws Exception {
    TestKeystores.selfSigned(keystore, password);
  }
}
