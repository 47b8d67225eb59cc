package dev.contraflow.serve;

import dev.contraflow.avro.EmbeddingRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.query.VersionedKeyQuery;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;

/**
 * The table of a running Kafka Streams instance: its local stores through interactive queries
 * (v2 for the versioned history store, which v1 cannot read; v1 for the latest store's prefix
 * scans), and the other instances through Kafka Streams' metadata.
 */
final class InteractiveQueries implements Instances {

  /**
   * The partition of a key as the job's producer chose it: the embeddings topic is keyed by the
   * id's UTF-8 bytes and placed by Kafka's default partitioner (murmur2). A topic written by
   * another producer may be keyed otherwise; then a miss names the wrong owner, but a key held
   * here is still found here.
   */
  static final StreamPartitioner<EmbeddingKey, Object> BY_ID = (topic, key, value, partitions) ->
      Optional.of(Set.of(
          Utils.toPositive(Utils.murmur2(key.id().getBytes(StandardCharsets.UTF_8))) % partitions));

  private final KafkaStreams streams;
  private final String topic;
  private final HostInfo self;

  InteractiveQueries(KafkaStreams streams, String topic, HostInfo self) {
    this.streams = streams;
    this.topic = topic;
    this.self = self;
  }

  LocalTable table(VectorIndexes indexes, VersionCatalog catalog) {
    return new LocalTable(this::history, () -> keyValueStore(EmbeddingTable.LATEST_STORE),
        () -> keyValueStore(EmbeddingTable.VERSIONS_STORE),
        () -> keyValueStore(EmbeddingTable.VERSION_COUNTS_STORE), indexes, catalog);
  }

  private VersionedRecord<EmbeddingRecord> history(EmbeddingKey key, Instant asOf) {
    requireQueryable();
    VersionedKeyQuery<EmbeddingKey, EmbeddingRecord> query = VersionedKeyQuery.withKey(key);
    if (asOf != null) {
      query = query.asOf(asOf);
    }
    StateQueryResult<VersionedRecord<EmbeddingRecord>> answer =
        streams.query(StateQueryRequest.inStore(EmbeddingTable.HISTORY_STORE).withQuery(query));
    List<String> failures = new ArrayList<>();
    for (var partition : answer.getPartitionResults().entrySet()) {
      QueryResult<VersionedRecord<EmbeddingRecord>> result = partition.getValue();
      if (result.isFailure()) {
        failures.add("partition " + partition.getKey() + ": " + result.getFailureReason() + " "
            + result.getFailureMessage());
      } else if (result.getResult() != null) {
        return result.getResult();
      }
    }
    if (!failures.isEmpty()) {
      throw HttpProblem.unavailable("the table cannot answer yet: " + failures);
    }
    return null;
  }

  private <K, V> ReadOnlyKeyValueStore<K, V> keyValueStore(String name) {
    requireQueryable();
    return streams.store(StoreQueryParameters.fromNameAndType(name,
        QueryableStoreTypes.keyValueStore()));
  }

  private void requireQueryable() {
    KafkaStreams.State state = streams.state();
    if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
      throw HttpProblem.unavailable("the table cannot answer: Kafka Streams is " + state);
    }
  }

  @Override
  public Optional<Instance> ownerElsewhere(EmbeddingKey key) {
    requireQueryable();
    KeyQueryMetadata owner = streams.queryMetadataForKey(EmbeddingTable.LATEST_STORE, key, BY_ID);
    if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner)
        || self.equals(owner.activeHost())) {
      return Optional.empty();
    }
    HostInfo host = owner.activeHost();
    return Optional.of(new Instance(host.host(), host.port(), false, List.of(owner.partition())));
  }

  @Override
  public List<Instance> all() {
    requireQueryable();
    List<Instance> all = new ArrayList<>();
    for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
      all.add(new Instance(m.host(), m.port(), self.equals(m.hostInfo()),
          partitionsOf(m.topicPartitions()), partitionsOf(m.standbyTopicPartitions())));
    }
    return all;
  }

  @Override
  public List<Integer> localPartitions() {
    return all().stream().filter(Instance::self).findFirst().map(Instance::partitions)
        .orElse(List.of());
  }

  private List<Integer> partitionsOf(Set<TopicPartition> assigned) {
    return assigned.stream().filter(tp -> tp.topic().equals(topic))
        .map(TopicPartition::partition).sorted().toList();
  }

  @Override
  public String state() {
    return streams.state().name();
  }

  @Override
  public boolean serving() {
    return streams.state() == KafkaStreams.State.RUNNING;
  }

  /** The main consumer's records-lag per partition of the topic (absent until it has fetched). */
  @Override
  public Map<String, Long> lag() {
    Map<String, Long> lag = new TreeMap<>();
    streams.metrics().forEach((name, metric) -> {
      if (isRecordsLag(name) && metric.metricValue() instanceof Double d && !d.isNaN()) {
        lag.put(topic + "-" + name.tags().get("partition"), d.longValue());
      }
    });
    return lag;
  }

  private boolean isRecordsLag(MetricName name) {
    return name.name().equals("records-lag")
        && name.group().equals("consumer-fetch-manager-metrics")
        && topic.equals(name.tags().get("topic"))
        && name.tags().containsKey("partition");
  }
}
