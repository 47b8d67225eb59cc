package dev.contraflow.serve;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The server's key and certificate from a PKCS#12 keystore, for HTTPS. The same keystore is what
 * instances of one table trust when they ask each other (fan-out search): they share one
 * certificate, or one whose issuer the JVM's trust store already holds.
 */
final class TlsKeystore {

  private TlsKeystore() {
  }

  /** An SSL context that presents the keystore's key and trusts the keystore's certificates. */
  static SSLContext context(Path keystore, Path passwordFile) throws IOException {
    char[] password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip()
        .toCharArray();
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("--tls-keystore = " + keystore + " cannot be read as"
          + " PKCS#12 with the password of --tls-password-file (" + e.getMessage() + "): make"
          + " one with `keytool -genkeypair -storetype PKCS12 ...`", e);
    }
  }
}
