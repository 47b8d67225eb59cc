package dev.contraflow.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Instances of one table on 127.0.0.1 at fixed ports, instance i serving partition i, without
 * Kafka Streams: for tests of servers asking each other.
 *
 * @param ports every instance's port, in partition order
 * @param self the index of this instance
 */
record FixedInstances(List<Integer> ports, int self) implements Instances {

  @Override
  public Optional<Instance> ownerElsewhere(EmbeddingKey key) {
    return Optional.empty();
  }

  @Override
  public List<Instance> all() {
    List<Instance> all = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      all.add(new Instance("127.0.0.1", ports.get(i), i == self, List.of(i)));
    }
    return all;
  }

  @Override
  public List<Integer> localPartitions() {
    return List.of(self);
  }

  @Override
  public String state() {
    return "RUNNING";
  }

  @Override
  public boolean serving() {
    return true;
  }

  @Override
  public Map<String, Long> lag() {
    return Map.of();
  }
}
