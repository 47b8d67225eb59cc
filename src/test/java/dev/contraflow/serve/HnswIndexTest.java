package dev.contraflow.serve;

import static dev.contraflow.serve.TableDriver.embedding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.bench.ClusteredVectors;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The approximate index against the exact ranking serve falls back to: 5,000 unit vectors in 32
 * dimensions around 50 centres, queries drawn from the same mixture.
 */
class HnswIndexTest {

  private static final int DIM = 32;

  @Test
  void findsNearlyAllOfTheExactTopTen() {
    Random random = new Random(7);
    ClusteredVectors mixture = new ClusteredVectors(DIM, 50, 1.0, random);
    float[][] vectors = mixture.next(5_000, random);
    HnswIndex index = new HnswIndex(DIM, 16, 100, 42);
    for (int i = 0; i < vectors.length; i++) {
      index.add("v" + i, vectors[i]);
    }

    double recall = 0;
    int queries = 100;
    for (int q = 0; q < queries; q++) {
      float[] query = mixture.next(random);
      List<String> approximate = index.search(query, 10, null, 100).stream()
          .map(HnswIndex.Candidate::id).toList();
      recall += SearchBenchmark.recall(approximate, exactTop(vectors, query, 10));
    }
    recall /= queries;
    // Lucene's HNSW at M=16, efSearch=100 finds ~0.99 of it here; a graph that lost its links
    // or scored the wrong similarity finds a fraction
    assertTrue(recall >= 0.95, "recall@10 = " + recall);
  }

  @Test
  void aScoreIsTheCosineWithTheVectorAsGiven() {
    HnswIndex index = new HnswIndex(2, 16, 100, 42);
    index.add("east-long", new float[] {3, 0});
    index.add("north", new float[] {0, 1});

    List<HnswIndex.Candidate> best = index.search(new float[] {1, 1}, 2, null, 10);
    assertEquals(Math.sqrt(0.5), best.get(0).score(), 1e-6);
    assertEquals(Math.sqrt(0.5), best.get(1).score(), 1e-6);
  }

  @Test
  void aReplacedVectorAndARemovedIdAreNeverReturned() {
    HnswIndex index = new HnswIndex(2, 16, 100, 42);
    index.add("a", new float[] {1, 0});
    index.add("b", new float[] {0.9f, 0.1f});
    index.add("c", new float[] {0, 1});
    index.add("a", new float[] {-1, 0});
    index.remove("b");

    List<HnswIndex.Candidate> best = index.search(new float[] {1, 0}, 3, null, 10);
    assertEquals(List.of("c", "a"), best.stream().map(HnswIndex.Candidate::id).toList());
    assertEquals(-1, best.get(1).score(), 1e-6, "a's newest vector points west");
    assertEquals(2, index.size());
    assertEquals(2, index.tombstones());
  }

  @Test
  void aVectorWithANaNIsNeverIndexed() {
    HnswIndex index = new HnswIndex(2, 16, 100, 42);
    index.add("west", new float[] {-1, 0});
    index.add("broken", new float[] {1, 0});
    index.add("broken", new float[] {Float.NaN, 0});

    assertEquals(List.of("west"), index.search(new float[] {1, 0}, 2, null, 10).stream()
        .map(HnswIndex.Candidate::id).toList());
  }

  @Test
  void theExcludedIdIsLeftOut() {
    HnswIndex index = new HnswIndex(2, 16, 100, 42);
    index.add("self", new float[] {1, 0});
    index.add("other", new float[] {0, 1});

    List<HnswIndex.Candidate> best = index.search(new float[] {1, 0}, 2, "self", 10);
    assertEquals(List.of("other"), best.stream().map(HnswIndex.Candidate::id).toList());
    assertFalse(index.search(new float[] {1, 0}, 1, null, 10).isEmpty());
  }

  /** The exact top k by serve's exact ranking. */
  private static List<String> exactTop(float[][] vectors, float[] query, int k) {
    NearestNeighbours ranking = new NearestNeighbours(query, k, VersionRule.only(1), null);
    for (int i = 0; i < vectors.length; i++) {
      ranking.offer(embedding("m", "v" + i, 1, vectors[i]));
    }
    return ranking.result().hits().stream().map(NearestNeighbours.Hit::id).toList();
  }
}
