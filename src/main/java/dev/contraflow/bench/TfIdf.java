package dev.contraflow.bench;

import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bag-of-words baseline: TF-IDF vectors (idf = ln((1 + N) / (1 + df)) + 1, as scikit-learn's
 * smoothed default) over the {@code maxFeatures} words of highest document frequency in the
 * training sentences, L2-normalised. Words are the sentence tokenizer's, so both sides see the same
 * normalised text.
 */
final class TfIdf {

  private final Map<String, Integer> index = new HashMap<>();
  private final float[] idf;

  /** Each text's words by the sentence tokenizer; a text it refuses has none. */
  static List<List<String>> words(List<String> texts, SentenceTokenizer tokenizer) {
    List<List<String>> out = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      try {
        out.add(tokenizer.words(Integer.toString(i), texts.get(i)));
      } catch (InvalidSentenceException e) {
        out.add(List.of());
      }
    }
    return out;
  }

  TfIdf(List<List<String>> trainingDocuments, int maxFeatures) {
    Map<String, Integer> df = new HashMap<>();
    for (List<String> doc : trainingDocuments) {
      for (String w : new HashSet<>(doc)) {
        df.merge(w, 1, Integer::sum);
      }
    }
    List<Map.Entry<String, Integer>> byDf = new ArrayList<>(df.entrySet());
    byDf.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
        .thenComparing(Map.Entry.comparingByKey()));
    int v = Math.min(maxFeatures, byDf.size());
    idf = new float[v];
    int n = trainingDocuments.size();
    for (int j = 0; j < v; j++) {
      index.put(byDf.get(j).getKey(), j);
      idf[j] = (float) (Math.log((1.0 + n) / (1.0 + byDf.get(j).getValue())) + 1);
    }
  }

  int dim() {
    return idf.length;
  }

  float[] vector(List<String> words) {
    float[] out = new float[idf.length];
    Set<Integer> seen = new HashSet<>();
    for (String w : words) {
      Integer j = index.get(w);
      if (j != null) {
        out[j] += idf[j];
        seen.add(j);
      }
    }
    double sq = 0;
    for (int j : seen) {
      sq += out[j] * out[j];
    }
    if (sq > 0) {
      float inv = (float) (1 / Math.sqrt(sq));
      for (int j : seen) {
        out[j] *= inv;
      }
    }
    return out;
  }
}
