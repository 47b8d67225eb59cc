package dev.contraflow.encoder;

import java.lang.management.ManagementFactory;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMException;
import javax.management.ObjectName;
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
 * end of every step, and {@link Encoder} frees the activations it hands out as soon as backprop is
 * done with them, and its backward pass runs in DL4J's workspaces. (DL4J's training forward still
 * makes working arrays outside workspaces - batch-norm caches, im2col - that only the collector
 * frees: see EncoderGraphs.base. That remainder is what the resident size still saws with.)
 *
 * <p><b>Freed memory goes back to the OS.</b> glibc keeps freed native blocks in its per-thread
 * arenas, and ND4J's many short-lived buffers of a few MB fragment them: a one-pass {@code train}
 * grew past 15 GB resident although a full GC left only ~0.8 GB live (measured with {@code jcmd
 * PID GC.run} then {@code System.trim_native_heap}). Closing a step hands the freed memory back
 * (malloc_trim, through the JVM's own {@code System.trim_native_heap}), at most once a second.
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
  private static final String UPDATE_WORKSPACE = "contraflow-update";
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

  /** Native memory is handed back to the OS at most this often. */
  private static final long TRIM_INTERVAL_NANOS = 1_000_000_000L;
  private static final AtomicLong lastTrim = new AtomicLong(System.nanoTime());
  private static volatile boolean trimAvailable = true;

  /**
   * Opens the calling thread's step workspace: every array made until it is closed is scratch,
   * freed (reused) at close. Nothing made inside may be kept after it - copy results out to Java
   * arrays - and DL4J networks must be called outside it ({@link Encoder} does).
   */
  public static Step step() {
    return new Step(Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP, STEP_WORKSPACE));
  }

  /**
   * Opens the calling thread's update workspace inside its step workspace: the scratch of one
   * gradient update among several of a step ({@code updatesPerBatch}), freed when it closes, so
   * that the step's workspace holds one update's arrays instead of all of them (200 MB at the
   * default 8 updates of GEMM_MLP w64) and each update reuses the memory the last one warmed.
   * Nothing made inside may be read after it closes, not even by the next update.
   */
  public static Step update() {
    return new Step(Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP, UPDATE_WORKSPACE));
  }

  /**
   * An array that must outlive the caller's step (a buffer kept between steps), allocated outside
   * any open workspace: a workspace array is overwritten once its scope closes.
   */
  static <T> T persistent(java.util.function.Supplier<T> allocation) {
    try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      return allocation.get();
    }
  }

  /** One step's scratch memory; closing it frees the arrays and returns freed memory to the OS. */
  public static final class Step implements AutoCloseable {
    private final MemoryWorkspace workspace;

    private Step(MemoryWorkspace workspace) {
      this.workspace = workspace;
    }

    /** The workspace the step's arrays live in. */
    public MemoryWorkspace workspace() {
      return workspace;
    }

    @Override
    public void close() {
      workspace.close();
      trimNativeHeapIfDue();
    }
  }

  /**
   * malloc_trim(0) through the JVM's diagnostic command, if a second has passed since the last;
   * where the JVM or the C library has none, this does nothing from then on.
   */
  static void trimNativeHeapIfDue() {
    long now = System.nanoTime();
    long last = lastTrim.get();
    if (!trimAvailable || now - last < TRIM_INTERVAL_NANOS || !lastTrim.compareAndSet(last, now)) {
      return;
    }
    try {
      ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "systemTrimNativeHeap",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
    } catch (JMException | RuntimeException e) {
      trimAvailable = false; // not HotSpot 17.0.9+ / not glibc: nothing to trim with
    }
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
