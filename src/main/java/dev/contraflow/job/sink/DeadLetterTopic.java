package dev.contraflow.job.sink;

import dev.contraflow.job.config.JobConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The start-up check that the dead-letter topic takes a dead letter of
 * {@code limits.maxDeadLetterBytes}: a larger one would fail the exactly-once sink, and the job
 * with it, on every replay of the record that caused it. The topic's {@code max.message.bytes}
 * is compared; a topic that does not exist yet will be created with the broker's
 * {@code message.max.bytes}, so that is compared instead.
 */
public final class DeadLetterTopic {

  private static final long TIMEOUT_SECONDS = 30;

  private DeadLetterTopic() {}

  /** Throws, with the fix, when the dead-letter topic would refuse the largest dead letter. */
  public static void requireAccepts(Admin admin, JobConfig config)
      throws InterruptedException {
    String topic = config.topics().deadLetters();
    int largest = config.limits().maxDeadLetterBytes();
    long accepted;
    String where;
    try {
      accepted = topicLimit(admin, topic);
      where = "topic " + topic + " has max.message.bytes = " + accepted;
    } catch (UnknownTopicOrPartitionException absent) {
      accepted = brokerLimit(admin);
      where = "topic " + topic + " does not exist; the broker creates it with message.max.bytes"
          + " = " + accepted;
    }
    if (accepted < largest) {
      throw new IllegalStateException("the dead-letter " + where + ", below "
          + "limits.maxDeadLetterBytes = " + largest + ": raise it (kafka-configs.sh --alter "
          + "--entity-type topics --entity-name " + topic + " --add-config max.message.bytes="
          + largest + ") or lower limits.maxDeadLetterBytes");
    }
  }

  private static long topicLimit(Admin admin, String topic) throws InterruptedException {
    return limit(admin, new ConfigResource(ConfigResource.Type.TOPIC, topic),
        "max.message.bytes");
  }

  private static long brokerLimit(Admin admin) throws InterruptedException {
    try {
      List<Node> nodes = List.copyOf(admin.describeCluster().nodes()
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
      return limit(admin, new ConfigResource(ConfigResource.Type.BROKER,
          nodes.get(0).idString()), "message.max.bytes");
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot describe the Kafka cluster: " + e.getMessage(), e);
    }
  }

  private static long limit(Admin admin, ConfigResource resource, String name)
      throws InterruptedException {
    try {
      Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(resource)).all()
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      ConfigEntry entry = configs.get(resource).get(name);
      return Long.parseLong(entry.value());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException absent) {
        throw absent;
      }
      throw new IllegalStateException("cannot read " + name + " of " + resource + ": "
          + e.getCause().getMessage(), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot read " + name + " of " + resource + " within "
          + TIMEOUT_SECONDS + "s", e);
    }
  }
}
