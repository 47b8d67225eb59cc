package dev.contraflow.encoder;

import java.io.Serializable;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * How the online encoder's parameters move.
 *
 * <p>Defaults follow MoCo (He et al. 2020): SGD, learning rate 0.03 for batch 256, momentum 0.9,
 * weight decay 1e-4. A stream has no epochs, so the rate stays constant.
 *
 * @param kind SGD (with momentum; plain SGD when momentum is 0), ADAM or ADAGRAD (Duchi et al.
 *     2011; the hashed-bag sentence encoder keeps one accumulator per table row, see {@link
 *     HashedBagEncoder})
 * @param learningRate step size
 * @param momentum SGD momentum (Nesterov), ignored by ADAM
 * @param weightDecay L2 penalty on weights (not on biases or BN parameters)
 */
public record OptimizerConfig(Kind kind, double learningRate, double momentum, double weightDecay) implements Serializable {

  /** Optimiser families. */
  public enum Kind { SGD, ADAM, ADAGRAD }

  public OptimizerConfig {
    if (kind == null) {
      throw new IllegalArgumentException("optimizer must be SGD, ADAM or ADAGRAD, got null");
    }
    if (!(learningRate > 0) || learningRate > 10) {
      throw new IllegalArgumentException(
          "learningRate must be in (0, 10], got " + learningRate + " (MoCo uses 0.03 at batch 256)");
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("optimizer momentum must be in [0, 1), got " + momentum);
    }
    // a decay of 1 or more per unit learning rate shrinks weights faster than any gradient
    // moves them: a typo, not a setting (MoCo 1e-4, AdamW setups up to 0.1)
    if (!(weightDecay >= 0 && weightDecay < 1)) {
      throw new IllegalArgumentException("weightDecay must be in [0, 1), got " + weightDecay
          + " (MoCo uses 1e-4)");
    }
  }

  public static OptimizerConfig mocoDefaults() {
    return new OptimizerConfig(Kind.SGD, 0.03, 0.9, 1e-4);
  }

  /**
   * The image learners' default: MoCo's SGD at twice its learning rate, 0.06. MoCo's 0.03 is for
   * 200 epochs; a stream is seen once, and one pass of CMC over Fashion-MNIST learns more at 0.06
   * on every measure (README "CMC's temperature and learning rate").
   */
  public static OptimizerConfig onePassDefaults() {
    return new OptimizerConfig(Kind.SGD, 0.06, 0.9, 1e-4);
  }

  IUpdater updater() {
    return switch (kind) {
      case SGD -> momentum == 0 ? new Sgd(learningRate) : new Nesterovs(learningRate, momentum);
      case ADAM -> new Adam(learningRate);
      case ADAGRAD -> new AdaGrad(learningRate);
    };
  }
}
