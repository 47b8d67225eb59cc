package dev.contraflow.learn;

/**
 * One record's embedding: the key encoder's L2-normalised representation.
 *
 * @param id the record's id
 * @param modelVersion the step count of the model that made it
 * @param vector L2-normalised
 */
public record Embedding(String id, long modelVersion, float[] vector) {}
