package dev.contraflow.serve;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The instances that share the table (one Kafka Streams application id), and this one's state. */
public interface Instances {

  /**
   * One instance: where it answers, the partitions of the embeddings topic it serves, and those it
   * keeps warm standby copies of ({@code --standby-replicas}), ready to serve after a rebalance.
   */
  record Instance(String host, int port, boolean self, List<Integer> partitions,
      List<Integer> standbyPartitions) {

    public Instance(String host, int port, boolean self, List<Integer> partitions) {
      this(host, port, self, partitions, List.of());
    }

    public String address() {
      return host + ":" + port;
    }
  }

  /** The instance that serves the key's partition, when that is not this one. */
  Optional<Instance> ownerElsewhere(EmbeddingKey key);

  /** Every instance Kafka Streams knows of, this one included. */
  List<Instance> all();

  /** The partitions this instance serves: the only ones its searches cover. */
  List<Integer> localPartitions();

  /** This instance's Kafka Streams state, e.g. RUNNING, REBALANCING. */
  String state();

  /** Whether lookups can be answered now (RUNNING). */
  boolean serving();

  /** Records not yet read, per local partition ("topic-partition"), where the consumer knows. */
  Map<String, Long> lag();
}
