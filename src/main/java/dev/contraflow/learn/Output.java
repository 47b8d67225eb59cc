package dev.contraflow.learn;

/**
 * One embedding a step or an embed call gives back, with what it belongs to. An image or a
 * sentence gives one; an image-text pair gives two, its image's and its caption's, in one space.
 *
 * @param input index of the input (in the batch) it was made from
 * @param id the output's id: the input's, or derived from it when an input has several
 *     ({@code <id>#image}, {@code <id>#text})
 * @param kind what was embedded
 * @param embedding the vector, its model version and the input's id
 */
public record Output(int input, String id, Kind kind, Embedding embedding) {

  /** What an embedding was made from. */
  public enum Kind { IMAGE, TEXT }
}
