package dev.contraflow.job.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Non-finite and absurd hyper-parameters are refused before anything starts (issue 15: a
 * learning rate of infinity passed, and its first step made every parameter NaN).
 */
class HyperParameterBoundsTest {

  @ParameterizedTest
  @ValueSource(strings = {"learner.optimizer.learningRate=.inf",
      "learner.optimizer.learningRate=.nan", "learner.optimizer.learningRate=1e300",
      "learner.optimizer.weightDecay=.inf", "learner.optimizer.weightDecay=.nan",
      "learner.optimizer.weightDecay=5",
      "learner.temperature=.nan", "learner.temperature=.inf", "learner.temperature=-1",
      "learner.momentum.momentum=.nan", "learner.cropScaleMin=.nan",
      "learner.instDisc.bankMomentum=.nan",
      "sentenceLearner.optimizer.learningRate=.inf", "sentenceLearner.temperature=.nan",
      "sentenceLearner.encoder.dropout=.nan", "sentenceLearner.optimizer.weightDecay=.inf",
      "sentenceLearner.duplicationRate=.nan", "sentenceLearner.deletionRate=.nan",
      "pairLearner.optimizer.learningRate=.inf", "pairLearner.initialTemperature=.nan",
      "pairLearner.text.dropout=.nan",
      "pairLearner.optimizer.weightDecay=.nan", "pairLearner.cropScaleMin=.inf",
      "learner.replay.replayFraction=.nan", "learner.temperature=1e-9",
      "learner.temperature=1e6", "sentenceLearner.temperature=1e-9",
      "sentenceLearner.temperature=.inf", "pairLearner.initialTemperature=1e-9",
      "sentenceLearner.cpc.predictionSteps=.nan", "sentenceLearner.cpc.windowSequences=1e9",
      "sentenceLearner.cpc.contextDim=-1", "sentenceLearner.cpc.queueSize=-1",
      "sentenceLearner.cpc.queueSize=1e9"})
  void isRefusedNamingItsSection(String override) {
    String section = override.substring(0, override.indexOf('.'));
    var e = assertThrows(InvalidJobConfigException.class,
        () -> JobConfigLoader.defaults(List.of(override)), override + " passed validation");
    assertTrue(e.getMessage().startsWith(section), e.getMessage());
  }
}
