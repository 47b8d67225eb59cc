package dev.contraflow.encoder;

import java.util.Properties;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How contraflow bounds ND4J's off-heap memory, in two parts.
 *
 * <p><b>No garbage in the hot path.</b> A training step's temporary arrays (losses, logits,
 * normalised views, packed batches) live in one {@linkplain #step() step workspace}, reset at the
 * end of every step, and DL4J's own working memory lives in its workspaces (see {@link Encoder}).
 * Without them each step leaves ~100 MB of native buffers that only the garbage collector frees,
 * and with a heap that collects rarely the resident size of a one-pass {@code train} grew past
 * 15 GB.
 *
 * <p><b>Limits set before ND4J loads.</b> JavaCPP reads {@code org.bytedeco.javacpp.maxbytes} and
 * {@code maxphysicalbytes} once, when ND4J first loads; its defaults (the maximum heap, and twice
 * that) let a 24 GB machine's process reach 12 GB before JavaCPP asks the collector for memory
 * back. {@link #configure()}, called first thing by every entry point (the command line, the Flink
 * job's main and its learner operator), sets both from the JVM's maximum heap unless the user set
 * them: they are a backstop for arrays made outside the workspaces, not the mechanism.
 */
public final class NativeMemory {

  /** JavaCPP's cap on the native bytes it tracks (its default: the maximum heap). */
  public static final String MAX_BYTES = "org.bytedeco.javacpp.maxbytes";
  /** JavaCPP's cap on the process's resident size, checked on each of its allocations. */
  public static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxphysicalbytes";

  private static final long MIB = 1L << 20;
  /** Tracked native bytes allowed beyond the workspaces: ample for arrays outside them. */
  static final long MAX_TRACKED = 1024 * MIB;
  /**
   * Resident size beyond the heap for the native libraries (OpenBLAS, libnd4j, ~300 MB), the
   * workspaces and the networks (a few hundred MB at the default encoder) and the JVM's own. Past
   * it JavaCPP collects garbage and retries, then throws OutOfMemoryError naming the property.
   */
  static final long NATIVE_HEADROOM = 2048 * MIB;

  private static final String STEP_WORKSPACE = "contraflow-step";
  /**
   * Sized by the first step, grown when a later step needs more (the queue fills, a batch is
   * larger): a step's arrays reuse the same native block every time.
   */
  private static final WorkspaceConfiguration STEP = WorkspaceConfiguration.builder()
      .initialSize(0)
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .overallocationLimit(0.1)
      .policyLearning(LearningPolicy.FIRST_LOOP)
      .policyReset(ResetPolicy.BLOCK_LEFT)
      .policySpill(SpillPolicy.REALLOCATE)
      .build();

  private NativeMemory() {}

  /**
   * The limits in effect for a JVM: each either the user's (a system property) or derived from
   * {@code maxHeap}.
   *
   * @param maxBytes JavaCPP's cap on tracked native bytes
   * @param maxPhysicalBytes JavaCPP's cap on the resident size (heap included)
   * @param userSet whether the user set either (then nothing was changed)
   */
  public record Limits(String maxBytes, String maxPhysicalBytes, boolean userSet) {}

  /**
   * Sets JavaCPP's limits for this JVM unless the user set them; call before anything touches
   * ND4J (JavaCPP reads them once). Returns the limits in effect.
   */
  public static Limits configure() {
    return configure(System.getProperties(), Runtime.getRuntime().maxMemory());
  }

  /**
   * As {@link #configure()} on the given properties: maxbytes = min(heap, 1 GiB), maxphysicalbytes
   * = heap + 2 GiB; properties already present (either spelling JavaCPP accepts) win.
   */
  static Limits configure(Properties properties, long maxHeap) {
    boolean userSet = present(properties, MAX_BYTES) || present(properties, MAX_PHYSICAL_BYTES);
    if (!userSet) {
      properties.setProperty(MAX_BYTES, Long.toString(Math.min(maxHeap, MAX_TRACKED)));
      properties.setProperty(MAX_PHYSICAL_BYTES, Long.toString(maxHeap + NATIVE_HEADROOM));
    }
    return new Limits(value(properties, MAX_BYTES), value(properties, MAX_PHYSICAL_BYTES),
        userSet);
  }

  /**
   * Opens the calling thread's step workspace: every array made until it is closed is scratch,
   * freed (reused) at close. Nothing made inside may be kept after it - copy results out to Java
   * arrays - and DL4J networks must be called outside it ({@link Encoder} does).
   */
  public static MemoryWorkspace step() {
    return Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP, STEP_WORKSPACE);
  }

  private static boolean present(Properties p, String lowerCaseKey) {
    return value(p, lowerCaseKey) != null;
  }

  /** JavaCPP accepts both {@code maxbytes} and {@code maxBytes}. */
  private static String value(Properties p, String lowerCaseKey) {
    String v = p.getProperty(lowerCaseKey);
    if (v != null) {
      return v;
    }
    String camel = lowerCaseKey.equals(MAX_BYTES) ? "org.bytedeco.javacpp.maxBytes"
        : "org.bytedeco.javacpp.maxPhysicalBytes";
    return p.getProperty(camel);
  }
}
