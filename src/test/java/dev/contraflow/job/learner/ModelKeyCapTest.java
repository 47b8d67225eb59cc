package dev.contraflow.job.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

class ModelKeyCapTest {

  private static final int MAX_PARALLELISM = 128;

  @Test
  void aSubtaskHasRoomForMaxKeysIds() {
    ModelKeyCap cap = new ModelKeyCap(2, MAX_PARALLELISM, 1, 0);
    assertTrue(cap.hasRoom());
    cap.count("a");
    cap.count("b");
    assertFalse(cap.hasRoom());
    assertTrue(cap.refusal("c").contains("model.maxKeys = 2"), cap.refusal("c"));
  }

  @Test
  void countsFollowTheirKeyGroupsWhenTheJobIsRescaled() {
    ModelKeyCap one = new ModelKeyCap(100, MAX_PARALLELISM, 1, 0);
    List<String> keys = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
    keys.forEach(one::count);
    List<Tuple2<Integer, Integer>> union = snapshot(one);

    int[] expected = new int[2];
    for (String k : keys) {
      expected[KeyGroupRangeAssignment.assignKeyToParallelOperator(k, MAX_PARALLELISM, 2)]++;
    }
    for (int subtask = 0; subtask < 2; subtask++) {
      ModelKeyCap half = new ModelKeyCap(100, MAX_PARALLELISM, 2, subtask);
      half.restore(union); // union state: every subtask is handed every entry
      assertEquals(expected[subtask], half.admitted(),
          "subtask " + subtask + " counts exactly the keys it now owns");
    }
    assertTrue(expected[0] > 0 && expected[1] > 0, "the keys spread over both subtasks");

    ModelKeyCap[] halves = {new ModelKeyCap(100, MAX_PARALLELISM, 2, 0),
        new ModelKeyCap(100, MAX_PARALLELISM, 2, 1)};
    List<Tuple2<Integer, Integer>> both = new ArrayList<>();
    for (ModelKeyCap h : halves) {
      h.restore(union);
      both.addAll(snapshot(h));
    }
    ModelKeyCap merged = new ModelKeyCap(100, MAX_PARALLELISM, 1, 0);
    merged.restore(both);
    assertEquals(keys.size(), merged.admitted(), "scaling back in keeps the whole count");
  }

  private static List<Tuple2<Integer, Integer>> snapshot(ModelKeyCap cap) {
    return cap.counts();
  }
}
