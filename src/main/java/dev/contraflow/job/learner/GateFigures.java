package dev.contraflow.job.learner;

/**
 * What the publish gates measured of a model: the std ratio and uniformity of the gate sample's
 * embeddings, the alignment of the step's two views, and the kNN accuracy on the labelled probe
 * (NaN without one). A Flink POJO in keyed state (the last published model's figures), replaced,
 * never mutated; restored from a checkpoint written before probeAccuracy existed, the field keeps
 * its initial NaN (POJO schema evolution builds the object by its no-argument constructor).
 */
public class GateFigures {
  public double stdRatio;
  public double uniformity;
  public double alignment;
  public double probeAccuracy = Double.NaN;

  public GateFigures() {}

  public GateFigures(double stdRatio, double uniformity, double alignment,
      double probeAccuracy) {
    this.stdRatio = stdRatio;
    this.uniformity = uniformity;
    this.alignment = alignment;
    this.probeAccuracy = probeAccuracy;
  }
}
