package dev.contraflow.learn.method;

import static dev.contraflow.learn.PhaseClock.Phase.BACKWARD;
import static dev.contraflow.learn.PhaseClock.Phase.FORWARD;
import static dev.contraflow.learn.PhaseClock.Phase.LOSS;
import static dev.contraflow.learn.PhaseClock.Phase.MOMENTUM;

import dev.contraflow.augment.ImageViews;
import dev.contraflow.contrast.DinoLoss;
import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.encoder.FlatArrays;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.PhaseClock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DINO (Caron et al. 2021, Algorithm 1): self-distillation with no labels. The student (the online
 * network) sees two global views and {@code dino.localCrops} local crops of each record (default
 * 4, SwAV's multi-crop views); the teacher, an EMA of the student (the momentum encoder, m =
 * {@code momentum}; the paper starts at 0.996), sees the two global views. Each network ends in the
 * DINO head: the projection MLP, L2 normalisation and a weight-normalised last layer of K = {@code
 * dino.outputDim} outputs. The teacher's outputs, centred by C and sharpened by tau_t, are the
 * targets of the student's softmax (tau_s = {@code temperature}, 0.1) over every other view
 * ({@link DinoLoss}); then the teacher and C (m = {@code dino.centerMomentum}, 0.9) follow.
 *
 * <p>No negatives: centring and sharpening together prevent collapse. Watch the {@code
 * teacherEntropy} metric (the mean entropy of the teacher's targets; log K is uniform collapse, 0
 * one-dimension collapse) and the embedding std.
 *
 * <p>C is part of the learner state, as a block of {@code outputDim} values named {@value
 * LearnerState#CENTER} beside the networks (see {@link dev.contraflow.learn.Networks#statistics}),
 * so a restored learner centres exactly as an uninterrupted one.
 *
 * <p>The teacher's momentum is constant by default, not the paper's cosine from 0.996 to 1: a
 * stream has no last step for the cosine to reach, and past its horizon m = 1 would freeze the
 * teacher while the student keeps learning. For a bounded run, {@code --momentum-schedule COSINE}
 * gives the paper's schedule over the run.
 *
 * <p>Simplifications: the last layer's weight norm keeps g = 1 (the paper's {@code
 * norm_last_layer}) by scaling its columns to unit length before every step, as SwAV's prototypes,
 * so the gradient is not projected through the normalisation; the layer is never frozen (the
 * paper freezes it for the first epoch) and gradients are not clipped; the head's MLP is the
 * projection head (two layers, not three); local crops have the global views' resolution. The
 * teacher runs with batch statistics, as in the paper's code (it never switches the teacher to
 * evaluation mode) and as BYOL's target does here.
 */
final class DinoStep extends ImageMethodStep {

  private final LearnerConfig.Dino settings;
  private final DinoLoss loss;
  private final MomentumUpdate momentum;
  /** The small crops; null when {@code dino.localCrops} is 0. */
  private final ImageViews localViews;
  /** C, K values: live scratch, loaded from the state and captured into it with the networks. */
  private final float[] center;

  DinoStep(LearnerConfig config) {
    super(config);
    this.settings = config.dino();
    this.loss = new DinoLoss(config.temperature());
    this.momentum = config.momentum();
    this.localViews = localCropViews(config, settings.localCrops());
    this.center = new float[settings.outputDim()];
    networks().statistics(LearnerState.CENTER, center);
  }

  @Override
  protected int localCrops() {
    return localViews == null ? 0 : settings.localCrops();
  }

  @Override
  protected ImageViews localViews() {
    return localViews;
  }

  /** The networks' step 0, and C = 0 (as the paper's buffer starts). */
  @Override
  public LearnerState initialState() {
    LearnerState s = super.initialState();
    Map<String, LearnerState.Network> blocks = new LinkedHashMap<>(s.networks());
    blocks.put(LearnerState.CENTER, new LearnerState.Network(new float[settings.outputDim()], new float[0]));
    return new LearnerState(s.step(), s.rngState(), blocks, s.queue(), s.logitScale());
  }

  @Override
  protected Outcome train(Views in, PhaseClock clock) {
    int n = in.batchSize();
    int views = in.views().length; // 2 global, then the local crops
    long step = in.state().step();
    // teacher outputs of the global views: no gradient, 2N x K
    momentumEncoder.normalizePrototypes();
    Encoder.Forward teacher = momentumEncoder.forwardForTraining(
        momentumEncoder.batch(in.bothViews()));
    INDArray gT = teacher.prototypeScores();
    // student outputs of every view: N x K each
    online.normalizePrototypes();
    Encoder.Forward student = online.forwardForTraining(online.batch(in.allViews()));
    INDArray[] gS = new INDArray[views];
    for (int v = 0; v < views; v++) {
      gS[v] = rows(student.prototypeScores(), (long) v * n, (long) (v + 1) * n);
    }
    clock.lap(FORWARD);

    // centre and sharpen the teacher: the targets of the other views
    INDArray c = Nd4j.create(center, new long[] {1, center.length}, 'c').castTo(gT.dataType());
    double teacherTemperature = settings.teacherTemperatureAt(step);
    INDArray[] targets = {
        DinoLoss.targets(rows(gT, 0, n), c, teacherTemperature),
        DinoLoss.targets(rows(gT, n, 2L * n), c, teacherTemperature)};
    DinoLoss.Result r = loss.compute(gS, targets);
    // C follows this step's teacher outputs, after they were centred with the C before
    INDArray nextCenter = DinoLoss.updatedCenter(c, gT, settings.centerMomentum());
    INDArray q = L2Normalization.unit(rows(student.projection(), 0, n)); // N x d
    INDArray k = L2Normalization.unit(rows(teacher.projection(), n, 2L * n));
    clock.lap(LOSS);

    // the loss is the mean of the pairs, each a mean over N rows
    online.backwardAndUpdate(Nd4j.vstack(r.dLossDStudent()), in.iteration(), r.pairs() * n);
    clock.lap(BACKWARD);

    momentum.apply(momentumEncoder.paramsView(), online.paramsView(), step);
    System.arraycopy(FlatArrays.copyOut(nextCenter.reshape(center.length)), 0, center, 0,
        center.length);
    clock.lap(MOMENTUM);

    double entropy = (DinoLoss.meanEntropy(targets[0]) + DinoLoss.meanEntropy(targets[1])) / 2;
    return new Outcome(r.loss(), q.mul(k).sum(1).meanNumber().doubleValue(), Double.NaN, q, k,
        in.state().queue(), null, Map.of("teacherEntropy", entropy));
  }
}
