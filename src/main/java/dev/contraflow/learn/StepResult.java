package dev.contraflow.learn;

import java.util.List;

/** The outcome of one step: the next state, one embedding per record (if asked), the metrics. */
public record StepResult(LearnerState state, List<Embedding> embeddings, StepMetrics metrics) {}
