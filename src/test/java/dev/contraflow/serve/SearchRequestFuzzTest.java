package dev.contraflow.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Any body of a search request (docs/fuzzing.md): a request within its bounds, or a 400 problem
 * - never a 500. The seed corpus (SearchRequestFuzzTestInputs) runs in every build.
 */
class SearchRequestFuzzTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @FuzzTest(maxDuration = "5m")
  void anyBodyIsARequestOrABadRequest(byte[] body) {
    try {
      SearchRequest r = SearchRequest.parse(body, JSON);
      assertTrue((r.vector() == null) != (r.id() == null), "exactly one of vector and id");
      assertTrue(r.k() >= 1 && r.k() <= SearchRequest.MAX_K, "k = " + r.k());
    } catch (HttpProblem problem) {
      assertEquals(400, problem.status, problem.getMessage());
    }
  }
}
