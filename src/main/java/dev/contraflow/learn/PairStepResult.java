package dev.contraflow.learn;

import java.util.List;

/**
 * The outcome of one CLIP step.
 *
 * @param state the next state
 * @param imageEmbeddings one per record if asked (record ids), in the shared space
 * @param textEmbeddings one per record if asked, the caption's, in the same space
 * @param metrics loss, I.T similarities of pairs and non-pairs, geometry of the image features;
 *     no queue, so its queue fields are 0 and NaN
 */
public record PairStepResult(PairLearnerState state, List<Embedding> imageEmbeddings,
    List<Embedding> textEmbeddings, StepMetrics metrics) {}
