package dev.contraflow.job.learner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * {@code model.maxKeys}: how many model ids one learner subtask trains. Each id is a learner of
 * its own (megabytes of parameters, queue and replay buffer), and without a cap a stream of fresh
 * ids grows a TaskManager's state without bound (issue 15).
 *
 * <p>Keyed state cannot count keys, and no subtask sees another's keys, so the count is per
 * subtask, kept per key group: a key group moves whole when the job is rescaled, and its count
 * with it, so after a restore at any parallelism each subtask counts exactly the admitted keys of
 * the key groups it owns. The counts are snapshotted as union list state; on restore each subtask
 * keeps the entries of its own key groups. A key admitted once (the keyed flag the operator keeps)
 * is never refused later, even when a rescale-in leaves a subtask above the cap.
 */
final class ModelKeyCap {

  private final int maxKeys;
  private final int maxParallelism;
  private final KeyGroupRange owned;
  /** Admitted keys by key group, of the key groups this subtask owns. */
  private final Map<Integer, Integer> perKeyGroup = new HashMap<>();
  private int admitted;

  ModelKeyCap(int maxKeys, int maxParallelism, int parallelism, int subtask) {
    this.maxKeys = maxKeys;
    this.maxParallelism = maxParallelism;
    this.owned = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(maxParallelism,
        parallelism, subtask);
  }

  /** Keeps the restored counts of the key groups this subtask owns. */
  void restore(Iterable<Tuple2<Integer, Integer>> counts) {
    for (Tuple2<Integer, Integer> c : counts) {
      if (owned.contains(c.f0)) {
        perKeyGroup.merge(c.f0, c.f1, Integer::sum);
        admitted += c.f1;
      }
    }
  }

  /** This subtask's counts, (key group, admitted keys), for the union state. */
  List<Tuple2<Integer, Integer>> counts() {
    List<Tuple2<Integer, Integer>> counts = new ArrayList<>();
    perKeyGroup.forEach((group, count) -> counts.add(Tuple2.of(group, count)));
    return counts;
  }

  /** Whether a key seen for the first time may have a learner. */
  boolean hasRoom() {
    return admitted < maxKeys;
  }

  /** Counts a key seen for the first time, whether it was admitted now or trained before. */
  void count(String modelId) {
    perKeyGroup.merge(KeyGroupRangeAssignment.assignToKeyGroup(modelId, maxParallelism), 1,
        Integer::sum);
    admitted++;
  }

  int admitted() {
    return admitted;
  }

  /** The dead letter's reason for a record of a key beyond the cap. */
  String refusal(String modelId) {
    return "modelId " + modelId + " refused: this learner subtask already trains " + admitted
        + " model ids (model.maxKeys = " + maxKeys + "); raise model.maxKeys or send the "
        + "records to an existing model";
  }
}
