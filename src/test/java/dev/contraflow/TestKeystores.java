package dev.contraflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Key material made at test time by the JDK's own keytool: nothing secret is committed. One
 * self-signed key pair for 127.0.0.1 and localhost serves as the server's keystore and, through
 * its certificate, as the clients' trust.
 */
public final class TestKeystores {

  private TestKeystores() {
  }

  /** A PKCS#12 keystore holding a self-signed EC key pair for 127.0.0.1 and localhost. */
  public static void selfSigned(Path keystore, String password) throws Exception {
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", keystore.toString(),
        "-storepass", password, "-keypass", password);
  }

  /** The keystore's certificate in PEM, as a client's trust (Kafka's ssl.truststore.type=PEM). */
  public static String certificatePem(Path keystore, String password) throws Exception {
    return keytool("-exportcert", "-rfc", "-alias", "server", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", password);
  }

  private static String keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process keytool = new ProcessBuilder(command).start();
    String output = new String(keytool.getInputStream().readAllBytes());
    String errors = new String(keytool.getErrorStream().readAllBytes());
    assertEquals(0, keytool.waitFor(), "keytool failed: " + output + errors);
    return output;
  }
}
