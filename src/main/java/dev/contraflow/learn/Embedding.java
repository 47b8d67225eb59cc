package dev.contraflow.learn;

import dev.contraflow.encoder.FlatArrays;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One record's embedding: the key encoder's L2-normalised representation.
 *
 * @param id the record's id
 * @param modelVersion the step count of the model that made it
 * @param vector L2-normalised
 */
public record Embedding(String id, long modelVersion, float[] vector) {

  /**
   * The vectors of any number of records, embedded {@code chunk} at a time so memory stays bounded.
   */
  public static <T> float[][] vectorsInChunks(List<T> records, int chunk,
      java.util.function.Function<List<T>, List<Embedding>> embed) {
    float[][] rows = new float[records.size()][];
    for (int from = 0; from < rows.length; from += chunk) {
      List<Embedding> e = embed.apply(records.subList(from, Math.min(rows.length, from + chunk)));
      for (int i = 0; i < e.size(); i++) {
        rows[from + i] = e.get(i).vector();
      }
    }
    return rows;
  }

  /** One embedding per row of {@code unitRows} (n x d, already L2-normalised). */
  public static List<Embedding> ofRows(List<String> ids, INDArray unitRows, long version) {
    int dim = (int) unitRows.columns();
    float[] flat = FlatArrays.copyOut(unitRows.reshape(unitRows.length()));
    List<Embedding> out = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      float[] v = new float[dim];
      System.arraycopy(flat, i * dim, v, 0, dim);
      out.add(new Embedding(ids.get(i), version, v));
    }
    return out;
  }
}
