package dev.contraflow.encoder;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The values of an ND4J array as Java numbers, copied in bulk, so that the element-wise passes of
 * a step (batch norm and ReLU, forward and backward; the optimiser's update; the momentum
 * encoder's average) can run as plain Java loops over them.
 *
 * <p>Why: on this 2-core machine each ND4J element-wise op is a JNI call and an OpenMP fork whose
 * threads waited for the cores OpenBLAS's threads were still spinning on (they sleep now: {@link
 * NativeThreads}); at the default step's shapes (256 x 1024 and smaller) that fixed cost, not the
 * arithmetic, was most of an op. A pass
 * in Java has no dispatch, the JIT vectorises its loops, and its fixed ranges are shared by the
 * calling thread and idle cores ({@link FixedRanges}) (issue 20, "Against PyTorch").
 *
 * <p>Only where the values sit in host memory as plain contiguous floats or doubles ({@link
 * #reachable}): ND4J's CPU backend, an array (or view) whose values are one run in its buffer.
 * Anything else - the CUDA backend, other types, strided views - is the caller's cue to use ND4J
 * ops, as {@link Gemm} falls back to {@code Nd4j.gemm}. Values travel as doubles; a float array's
 * are widened on the way in and rounded on the way out, so the arithmetic is the same code for
 * the float training path and the double gradient checks.
 */
public final class HostValues {

  /**
   * Widening buffer for float arrays, one per thread: the caller's and the common pool's that
   * share a pass ({@link FixedRanges}). A float[] holds nothing of a job's classes, so a pool
   * thread that keeps one after the job ends keeps no class loader alive.
   */
  private static final ThreadLocal<float[]> FLOATS = ThreadLocal.withInitial(() -> new float[0]);

  private HostValues() {}

  /**
   * Set to {@code false} to run every pass as ND4J ops on the CPU backend too: to compare the two
   * in one build ({@code bench speed}), or to rule the Java passes out when chasing a problem.
   */
  public static final String ENABLED_PROPERTY = "contraflow.hostLoops";

  /** Whether this JVM's ND4J backend keeps arrays in host memory (and the passes are on), once. */
  private static final class Host {
    static final boolean CPU = Nd4j.getEnvironment().isCPU()
        && !"false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY));
  }

  /**
   * Whether every one of {@code arrays} can be read and written here: CPU backend, float or
   * double, values contiguous in the array's own order (a vector, or a c-ordered matrix or view
   * of whole rows), fewer than 2^31 of them.
   */
  public static boolean reachable(INDArray... arrays) {
    if (!Host.CPU) {
      return false;
    }
    for (INDArray x : arrays) {
      DataType t = x.dataType();
      // one run of values in row-major order: a c-ordered array or view of whole rows, or a
      // vector with unit stride
      boolean contiguous = x.length() <= 1
          || (x.elementWiseStride() == 1 && (x.ordering() == 'c' || x.isVector()));
      if ((t != DataType.FLOAT && t != DataType.DOUBLE) || !contiguous
          || x.length() > Integer.MAX_VALUE) {
        return false;
      }
    }
    return true;
  }

  /** Values [from, from + length) of {@code x} (in its flat order) into {@code into[0, length)}. */
  public static void read(INDArray x, long from, double[] into, int length) {
    read(x, from, into, 0, length);
  }

  /**
   * Values [from, from + length) of {@code x} into {@code into[at, at + length)}: one range of a
   * pass shared over threads ({@link FixedRanges}), each thread with a widening buffer of its own.
   */
  public static void read(INDArray x, long from, double[] into, int at, int length) {
    Pointer p = pointer(x, from);
    if (x.dataType() == DataType.DOUBLE) {
      ((DoublePointer) p).get(into, at, length);
      return;
    }
    float[] f = floats(length);
    ((FloatPointer) p).get(f, 0, length);
    for (int i = 0; i < length; i++) {
      into[at + i] = f[i];
    }
  }

  /** Every value of {@code x} into {@code into} (at least as long). */
  public static void read(INDArray x, double[] into) {
    read(x, 0, into, (int) x.length());
  }

  /**
   * Values [from, from + length) of the float array {@code x} into {@code into[0, length)}, as
   * they are: for long vectors (parameters, optimiser state) whose passes are memory-bound, where
   * widening them would cost as much as the pass.
   */
  public static void readFloats(INDArray x, long from, float[] into, int length) {
    ((FloatPointer) pointer(x, from)).get(into, 0, length);
  }

  /** {@code values[0, length)} over values [at, at + length) of the float array {@code x}. */
  public static void writeFloats(float[] values, int length, INDArray x, long at) {
    ((FloatPointer) pointer(x, at)).put(values, 0, length);
  }

  /** {@code values[0, length)} over values [at, at + length) of {@code x}, in place. */
  public static void write(double[] values, int length, INDArray x, long at) {
    write(values, 0, length, x, at);
  }

  /** {@code values[from, from + length)} over values [at, at + length) of {@code x}, in place. */
  public static void write(double[] values, int from, int length, INDArray x, long at) {
    Pointer p = pointer(x, at);
    if (x.dataType() == DataType.DOUBLE) {
      ((DoublePointer) p).put(values, from, length);
      return;
    }
    float[] f = floats(length);
    for (int i = 0; i < length; i++) {
      f[i] = (float) values[from + i];
    }
    ((FloatPointer) p).put(f, 0, length);
  }

  /** {@code values} over every value of {@code x}, in place. */
  public static void write(double[] values, INDArray x) {
    write(values, (int) x.length(), x, 0);
  }

  /** A double[] of at least n values: {@code reused} when long enough, else a new one. */
  public static double[] atLeast(double[] reused, long n) {
    return reused != null && reused.length >= n ? reused : new double[(int) n];
  }

  /**
   * A pointer of our own at value {@code index} of {@code x}: the buffer's pointer starts at the
   * array's (or view's) first value, and is shared, so its position is never moved.
   */
  private static Pointer pointer(INDArray x, long index) {
    Pointer base = x.data().addressPointer();
    Pointer own = x.dataType() == DataType.DOUBLE
        ? new DoublePointer(base) : new FloatPointer(base);
    return own.position(own.position() + index);
  }

  private static float[] floats(int n) {
    float[] f = FLOATS.get();
    if (f.length < n) {
      f = new float[n];
      FLOATS.set(f);
    }
    return f;
  }
}
