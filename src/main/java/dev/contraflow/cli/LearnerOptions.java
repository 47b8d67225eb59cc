package dev.contraflow.cli;

import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.Method;
import picocli.CommandLine.Option;

/** The learner's settings as command-line options; defaults are {@link LearnerConfig#mocoV2}'s. */
final class LearnerOptions {

  @Option(names = "--method", defaultValue = "MOCO",
      description = "Self-supervised method: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  Method method;

  @Option(names = "--encoder", defaultValue = "CNN",
      description = "Backbone: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  EncoderKind encoder;

  @Option(names = "--width", defaultValue = "32",
      description = "Channels of the first stage; later stages double it (default ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--blocks", defaultValue = "1",
      description = "ResNet basic blocks per stage (default ${DEFAULT-VALUE}).")
  int blocks;

  @Option(names = "--head-hidden", defaultValue = "512",
      description = "Hidden units of the projection head (default ${DEFAULT-VALUE}).")
  int headHidden;

  @Option(names = "--dim", defaultValue = "128",
      description = "Projection dimension d (default ${DEFAULT-VALUE}).")
  int dim;

  @Option(names = "--batch-size", defaultValue = "256",
      description = "Records per step B (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--queue-size", defaultValue = "4096",
      description = "Negatives in the queue K (default ${DEFAULT-VALUE}).")
  int queueSize;

  @Option(names = "--temperature", defaultValue = "0.2",
      description = "InfoNCE temperature T (default ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--momentum", defaultValue = "0.99",
      description = "Key-encoder EMA momentum m (default ${DEFAULT-VALUE}).")
  double momentum;

  @Option(names = "--momentum-schedule", defaultValue = "CONSTANT",
      description = "${COMPLETION-CANDIDATES}: COSINE raises m to 1 over the run (default ${DEFAULT-VALUE}).")
  MomentumUpdate.Schedule momentumSchedule;

  @Option(names = "--optimizer", defaultValue = "SGD",
      description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  OptimizerConfig.Kind optimizer;

  @Option(names = "--lr", defaultValue = "0.03",
      description = "Learning rate (default ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--weight-decay", defaultValue = "1e-4",
      description = "Weight decay (default ${DEFAULT-VALUE}).")
  double weightDecay;

  @Option(names = "--crop-scale-min", defaultValue = "0.2",
      description = "Smallest area fraction of the random resized crop (default ${DEFAULT-VALUE}).")
  double cropScaleMin;

  @Option(names = "--seed", defaultValue = "7",
      description = "Seed of initialisation and views (default ${DEFAULT-VALUE}).")
  long seed;

  /** The validated configuration for images of the given shape. */
  LearnerConfig toConfig(int channels, int height, int width, long totalSteps) {
    EncoderConfig e = new EncoderConfig(encoder, channels, height, width, this.width, blocks,
        headHidden, dim, seed);
    MomentumUpdate m = momentumSchedule == MomentumUpdate.Schedule.COSINE
        ? new MomentumUpdate(momentum, momentumSchedule, Math.max(1, totalSteps))
        : MomentumUpdate.constant(momentum);
    return new LearnerConfig(method, e,
        new OptimizerConfig(optimizer, learningRate, 0.9, weightDecay),
        queueSize, temperature, m, cropScaleMin, batchSize, seed);
  }
}
