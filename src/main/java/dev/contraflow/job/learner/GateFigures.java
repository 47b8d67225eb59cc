package dev.contraflow.job.learner;

/**
 * What the publish gates measured of a model: the std ratio and uniformity of the gate sample's
 * embeddings, and the alignment of the step's two views. A Flink POJO in keyed state (the last
 * published model's figures), replaced, never mutated.
 */
public class GateFigures {
  public double stdRatio;
  public double uniformity;
  public double alignment;

  public GateFigures() {}

  public GateFigures(double stdRatio, double uniformity, double alignment) {
    this.stdRatio = stdRatio;
    this.uniformity = uniformity;
    this.alignment = alignment;
  }
}
