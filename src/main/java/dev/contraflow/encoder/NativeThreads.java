package dev.contraflow.encoder;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the native libraries' worker threads wait for work, set for this process before ND4J loads
 * them.
 *
 * <p>Between two products OpenBLAS's worker threads wait for the next one spinning on {@code
 * sched_yield} for about 0.1 s ({@code OPENBLAS_THREAD_TIMEOUT}: 2^28 cycles by default), and
 * libgomp's threads, which run libnd4j's ops, spin too unless {@code OMP_WAIT_POLICY=PASSIVE}. A
 * learner step interleaves its products with Java passes shared by the caller and the common pool
 * ({@link FixedRanges}), so on a machine with few cores the spinning workers take the cores those
 * passes run on: on this project's 2-core machine the CMC step ran 14-25% faster with OpenBLAS's
 * workers put to sleep at once (issue 20: {@code bench speed}, {@code bench stream}'s learner
 * alone), and 1.7-1.8x faster under {@code java -jar}, where libgomp spun too; the process's
 * system time fell to a third or less. The products themselves ran as fast (each run's matmul
 * reference read the same 140-175 GFLOP/s): a product's milliseconds dwarf waking a worker.
 *
 * <p>Each library reads its variable once, when it loads, so {@link #configure()} sets them in the
 * process's environment (libc's {@code setenv}, through JNA, which ND4J already ships) and must
 * run before anything loads ND4J: every entry point calls it first, beside {@link
 * NativeMemory#configure()}. A value the user exported wins. Where libc cannot be reached (not
 * Linux or macOS), or where the libraries are already loaded (a task manager that ran an earlier
 * job), this changes nothing, and the libraries wait as they always did. libc's {@code setenv} is
 * not safe against a {@code getenv} in another thread at the same moment: the command line and
 * the job's main call this before they start threads of their own, and a variable already set is
 * only read, so a task manager writes each at most once, when its first learner opens.
 */
public final class NativeThreads {

  /**
   * Each variable and the value contraflow sets when the user set none (and gives the PyTorch
   * peer of {@code bench speed --peer}, whose BLAS and OpenMP threads wait the same way).
   */
  public static final Map<String, String> WAITS = Map.of(
      "OMP_WAIT_POLICY", "PASSIVE", // libgomp: sleep between parallel regions, do not spin
      "OPENBLAS_THREAD_TIMEOUT", "4"); // OpenBLAS: spin 2^4 cycles (its minimum), then sleep

  private NativeThreads() {}

  /** A process environment: libc's in production, a map in tests. */
  interface Environment {
    /** The variable's value, or null when it is not set. */
    String get(String name);

    /** Sets the variable; false when that failed. */
    boolean set(String name, String value);
  }

  /**
   * Sets each of {@link #WAITS} the user did not set, in this process's environment. Returns the
   * values in effect afterwards (the user's or contraflow's), empty where libc is out of reach.
   */
  public static Map<String, String> configure() {
    Environment libc = Libc.environment();
    return libc == null ? Map.of() : configure(libc);
  }

  /** As {@link #configure()} on the given environment. */
  static Map<String, String> configure(Environment environment) {
    Map<String, String> inEffect = new LinkedHashMap<>();
    WAITS.forEach((name, value) -> {
      String user = environment.get(name);
      if (user != null) {
        inEffect.put(name, user);
      } else if (environment.set(name, value)) {
        inEffect.put(name, value);
      }
    });
    return inEffect;
  }

  /** libc's environment through JNA, loaded on first use; null where it cannot be loaded. */
  static final class Libc {
    private interface C extends Library {
      String getenv(String name);

      int setenv(String name, String value, int overwrite);
    }

    private static final Environment ENVIRONMENT = load();

    private Libc() {}

    static Environment environment() {
      return ENVIRONMENT;
    }

    private static Environment load() {
      try {
        C c = (C) Native.loadLibrary("c", C.class);
        return new Environment() {
          @Override
          public String get(String name) {
            return c.getenv(name);
          }

          @Override
          public boolean set(String name, String value) {
            return c.setenv(name, value, 0) == 0; // 0: never overwrite a value set meanwhile
          }
        };
      } catch (LinkageError | RuntimeException e) {
        return null; // no libc by that name (Windows): the libraries keep their defaults
      }
    }
  }
}
