package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NativeThreadsTest {

  /** An environment in a map; {@code writable} false makes every set fail. */
  private static NativeThreads.Environment inMap(Map<String, String> values, boolean writable) {
    return new NativeThreads.Environment() {
      @Override
      public String get(String name) {
        return values.get(name);
      }

      @Override
      public boolean set(String name, String value) {
        if (writable) {
          values.put(name, value);
        }
        return writable;
      }
    };
  }

  @Test
  void putsBothLibrariesWorkersToSleepWhenTheUserSetNothing() {
    Map<String, String> env = new HashMap<>();

    Map<String, String> inEffect = NativeThreads.configure(inMap(env, true));

    assertEquals(Map.of("OMP_WAIT_POLICY", "PASSIVE", "OPENBLAS_THREAD_TIMEOUT", "4"), env);
    assertEquals(env, inEffect);
  }

  @Test
  void keepsWhatTheUserExported() {
    Map<String, String> env = new HashMap<>(Map.of("OPENBLAS_THREAD_TIMEOUT", "28"));

    Map<String, String> inEffect = NativeThreads.configure(inMap(env, true));

    assertEquals("28", env.get("OPENBLAS_THREAD_TIMEOUT"));
    assertEquals("PASSIVE", env.get("OMP_WAIT_POLICY"));
    assertEquals(env, inEffect);
  }

  @Test
  void reportsNothingItCouldNotSet() {
    Map<String, String> inEffect = NativeThreads.configure(inMap(new HashMap<>(), false));

    assertEquals(Map.of(), inEffect);
  }

  @Test
  void setsTheVariablesInThisProcesssOwnEnvironment() {
    NativeThreads.Environment libc = NativeThreads.Libc.environment();
    assertNotNull(libc, "libc must be reachable through JNA on the Linux machines CI runs on");

    Map<String, String> inEffect = NativeThreads.configure();

    // read back through libc: System.getenv is the JVM's copy from its start
    NativeThreads.WAITS.keySet().forEach(name -> assertEquals(inEffect.get(name), libc.get(name)));
    assertEquals(NativeThreads.WAITS.keySet(), inEffect.keySet());
  }
}
