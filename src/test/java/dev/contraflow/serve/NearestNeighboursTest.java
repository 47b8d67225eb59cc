package dev.contraflow.serve;

import static dev.contraflow.serve.TableDriver.embedding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class NearestNeighboursTest {

  private static final float[] EAST = {1, 0};

  @Test
  void newerVersionOfferedLaterRestartsTheRanking() {
    NearestNeighbours ranking = new NearestNeighbours(EAST, 5, VersionRule.newest(), null);
    ranking.offer(embedding("m", "east-v1", 1, 1, 0));
    ranking.offer(embedding("m", "north-v2", 2, 0, 1));
    ranking.offer(embedding("m", "east-v1-again", 1, 1, 0));

    NearestNeighbours.Result result = ranking.result();
    assertEquals(List.of("north-v2"), ids(result));
    assertEquals(List.of(2L), result.versions());
    assertEquals(3, result.offered());
  }

  @Test
  void keepsTheBestKWithTiesInIdOrder() {
    NearestNeighbours ranking = new NearestNeighbours(EAST, 2, VersionRule.mixed(), null);
    ranking.offer(embedding("m", "west", 1, -1, 0));
    ranking.offer(embedding("m", "b-east", 2, 2, 0));
    ranking.offer(embedding("m", "a-east", 1, 3, 0));
    ranking.offer(embedding("m", "north", 2, 0, 1));

    NearestNeighbours.Result result = ranking.result();
    assertEquals(List.of("a-east", "b-east"), ids(result));
    assertEquals(1.0, result.hits().get(0).score(), 1e-9, "cosine ignores length");
    assertEquals(List.of(1L, 2L), result.versions());
  }

  @Test
  void dimensionMismatchOfAnotherVersionIsNoConcernOfThisOne() {
    NearestNeighbours ranking = new NearestNeighbours(EAST, 5, VersionRule.only(2), null);
    ranking.offer(embedding("m", "old-3d", 1, 1, 0, 0));
    ranking.offer(embedding("m", "east", 2, 1, 0));

    assertNull(ranking.result().mismatch());
    assertEquals(List.of("east"), ids(ranking.result()));
  }

  @Test
  void aVectorWithANaNNeverRanksAboveARealScore() {
    NearestNeighbours ranking = new NearestNeighbours(EAST, 2, VersionRule.newest(), null);
    ranking.offer(embedding("m", "broken", 1, Float.NaN, 0));
    ranking.offer(embedding("m", "infinite", 1, Float.POSITIVE_INFINITY, 0));
    ranking.offer(embedding("m", "west", 1, -1, 0));
    ranking.offer(embedding("m", "north", 1, 0, 1));

    NearestNeighbours.Result result = ranking.result();
    assertEquals(List.of("north", "west"), ids(result));
    assertEquals(2, result.unrankable());
  }

  private static List<String> ids(NearestNeighbours.Result result) {
    return result.hits().stream().map(NearestNeighbours.Hit::id).toList();
  }
}
