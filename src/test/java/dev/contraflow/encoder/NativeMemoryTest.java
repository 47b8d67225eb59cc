package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NativeMemoryTest {

  private static final long GIB = 1L << 30;

  @Test
  void withoutUserSettingsTheLimitsFollowTheMaximumHeap() {
    Properties p = new Properties();
    NativeMemory.Limits limits = NativeMemory.configure(p, 6 * GIB);
    assertFalse(limits.userSet());
    assertEquals(Long.toString(GIB), p.getProperty(NativeMemory.MAX_BYTES),
        "tracked native bytes: the heap, at most 1 GiB");
    assertEquals(Long.toString(8 * GIB), p.getProperty(NativeMemory.MAX_PHYSICAL_BYTES),
        "resident size: the heap plus 2 GiB for natives and workspaces");

    Properties small = new Properties();
    NativeMemory.configure(small, GIB / 2);
    assertEquals(Long.toString(GIB / 2), small.getProperty(NativeMemory.MAX_BYTES));
    assertEquals(Long.toString(GIB / 2 + 2 * GIB),
        small.getProperty(NativeMemory.MAX_PHYSICAL_BYTES));
  }

  @Test
  void limitsTheUserSetAreLeftAloneInEitherSpelling() {
    Properties p = new Properties();
    p.setProperty("org.bytedeco.javacpp.maxPhysicalBytes", "12G");
    NativeMemory.Limits limits = NativeMemory.configure(p, 6 * GIB);
    assertTrue(limits.userSet());
    assertEquals("12G", limits.maxPhysicalBytes());
    assertEquals(null, p.getProperty(NativeMemory.MAX_BYTES), "nothing added beside the user's");
    assertEquals(1, p.size());

    Properties lower = new Properties();
    lower.setProperty(NativeMemory.MAX_BYTES, "4G");
    assertEquals("4G", NativeMemory.configure(lower, 6 * GIB).maxBytes());
    assertEquals(1, lower.size());
  }

  @Test
  void aStepsArraysLiveInTheStepWorkspaceWhichDoesNotGrowFromStepToStep() {
    long[] sizes = new long[3];
    for (int step = 0; step < sizes.length; step++) {
      try (NativeMemory.Step s = NativeMemory.step()) {
        MemoryWorkspace ws = s.workspace();
        INDArray scratch = Nd4j.rand(64, 64).mmul(Nd4j.rand(64, 64)); // 64 x 64
        assertTrue(scratch.isAttached(), "made inside a step: workspace memory");
        sizes[step] = ws.getCurrentSize();
      }
    }
    assertEquals(sizes[1], sizes[2], "the second step reuses the block the first one sized");
    assertFalse(Nd4j.create(2, 2).isAttached(), "outside a step arrays are ordinary again");
  }

  @Test
  void anEncoderFreesTheActivationsItHandedOutOnceBackpropIsDone() {
    EncoderConfig c = new EncoderConfig(EncoderKind.CNN, 1, 8, 8, 2, 1, 16, 8, 1L);
    Encoder e = Encoder.create(c, new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.1, 0.9, 0));
    INDArray input = Nd4j.rand(4, 1, 8, 8); // B x C x H x W
    Encoder.Forward f = e.forwardForTraining(input);
    INDArray projection = f.projection();
    INDArray loss = projection.dup(); // the caller's derived array outlives the step
    assertFalse(projection.wasClosed());

    e.backwardAndUpdate(loss, 0);

    assertTrue(projection.wasClosed(), "freed now, not when the collector finds it");
    assertTrue(f.representation().wasClosed());
    assertFalse(input.wasClosed(), "the input is the caller's");
    assertFalse(loss.wasClosed());
  }

  @Test
  void aBackwardPassInWorkspacesGivesBitIdenticalGradientsToOneWithout() {
    EncoderConfig c = new EncoderConfig(EncoderKind.CNN, 1, 8, 8, 2, 1, 16, 8, 1L);
    OptimizerConfig sgd = new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.1, 0.9, 0);
    INDArray input = Nd4j.rand(4, 1, 8, 8); // B x C x H x W
    INDArray dLossDz = Nd4j.rand(4, 8); // B x d
    INDArray[] gradients = new INDArray[2];
    WorkspaceMode[] modes = {WorkspaceMode.NONE, WorkspaceMode.ENABLED};
    for (int i = 0; i < modes.length; i++) {
      ComputationGraph net = new ComputationGraph(EncoderGraphs.build(c, sgd)); // same seed
      net.init();
      net.feedForward(new INDArray[] {input}, true, false); // as Encoder: without workspaces
      net.getConfiguration().setTrainingWorkspaceMode(modes[i]);
      gradients[i] = net.backpropGradient(dLossDz).gradient().dup();
    }
    assertEquals(gradients[0], gradients[1]);
    assertTrue(gradients[0].equalsWithEps(gradients[1], 0.0), "bit for bit");
  }
}
