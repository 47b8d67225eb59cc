package dev.contraflow.job.learner;

import dev.contraflow.contrast.RepresentationGeometry;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.NonFiniteGuard;
import java.io.Serializable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The health gates a due checkpoint passes before it is published and refreshed (issue 13), in
 * order: every parameter finite; the gate sample's embeddings not collapsed (std x sqrt(d) at
 * least {@code minStdRatio}: SimSiam's collapse signal, about 1 when healthy and 0 when every
 * input maps to one point); their uniformity and the step's alignment (Wang &amp; Isola) not
 * worse than the last published model's by more than the tolerances; when a labelled probe is
 * configured ({@link LabelledProbe}), its kNN accuracy not below the last published model's by
 * more than {@code publish.gates.probe.tolerance}.
 *
 * <p>Uniformity is measured on a fixed sample (the model's first records, kept in state) so that
 * two versions are compared on the same inputs. Alignment needs positive pairs, which only the
 * method's augmented views give: it is the step's own figure (the views of the batch that made
 * the candidate), compared with the one of the step that made the last published model.
 */
final class PublishGate implements Serializable {

  private final JobConfig.Gates gates;

  PublishGate(JobConfig.Gates gates) {
    this.gates = gates;
  }

  boolean enabled() {
    return gates.enabled();
  }

  int sampleSize() {
    return gates.sampleSize();
  }

  /** A candidate's figures and, when it fails a gate, why. */
  record Verdict(GateFigures figures, String rejection) {
    boolean passed() {
      return rejection == null;
    }
  }

  /**
   * @param sample the gate sample's embeddings by the candidate, L2-normalised: n x d
   * @param alignment the alignment of the step that made the candidate
   * @param probeAccuracy the candidate's kNN accuracy on the labelled probe; NaN without one
   * @param last the last published model's figures, or null for the first
   */
  Verdict judge(LearnerState candidate, float[][] sample, double alignment,
      double probeAccuracy, GateFigures last) {
    String nonFinite = NonFiniteGuard.stateProblem(candidate);
    if (nonFinite != null) {
      return new Verdict(null, nonFinite);
    }
    if (sample.length < 2) {
      // too few records yet to measure a spread: nothing to reject on, nothing to compare with
      return new Verdict(new GateFigures(Double.NaN, Double.NaN, alignment, probeAccuracy),
          null);
    }
    GateFigures f = figures(sample, alignment, probeAccuracy);
    if (!Double.isFinite(f.stdRatio) || !Double.isFinite(f.uniformity)) {
      return new Verdict(f, "the gate sample's embeddings are not finite");
    }
    if (f.stdRatio < gates.minStdRatio()) {
      return new Verdict(f, String.format("collapsed: embedding std x sqrt(d) = %.4f is below "
          + "publish.gates.minStdRatio = %s", f.stdRatio, gates.minStdRatio()));
    }
    if (last != null && Double.isFinite(last.uniformity)
        && f.uniformity > last.uniformity + gates.uniformityTolerance()) {
      return new Verdict(f, String.format("uniformity %.4f is worse than the last published "
          + "model's %.4f by more than publish.gates.uniformityTolerance = %s", f.uniformity,
          last.uniformity, gates.uniformityTolerance()));
    }
    if (last != null && Double.isFinite(alignment) && Double.isFinite(last.alignment)
        && alignment > last.alignment + gates.alignmentTolerance()) {
      return new Verdict(f, String.format("alignment %.4f is worse than the last published "
          + "model's %.4f by more than publish.gates.alignmentTolerance = %s", alignment,
          last.alignment, gates.alignmentTolerance()));
    }
    double tolerance = gates.probe().tolerance();
    if (last != null && Double.isFinite(probeAccuracy) && Double.isFinite(last.probeAccuracy)
        && probeAccuracy < last.probeAccuracy - tolerance) {
      return new Verdict(f, String.format("kNN accuracy on the labelled probe %.4f is below the "
          + "last published model's %.4f by more than publish.gates.probe.tolerance = %s",
          probeAccuracy, last.probeAccuracy, tolerance));
    }
    return new Verdict(f, null);
  }

  private static GateFigures figures(float[][] sample, double alignment, double probeAccuracy) {
    INDArray x = Nd4j.create(sample); // n x d
    double std = RepresentationGeometry.embeddingStd(x) * Math.sqrt(x.columns());
    return new GateFigures(std, RepresentationGeometry.uniformity(x), alignment, probeAccuracy);
  }
}
