package dev.contraflow.job.sink;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job refuses to start when its dead-letter topic would refuse its largest dead letter. */
class DeadLetterTopicTest {

  @TempDir
  static Path dir;
  private static EmbeddedKafka kafka;
  private static Admin admin;

  @BeforeAll
  static void broker() throws Exception {
    kafka = EmbeddedKafka.start(dir);
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        kafka.bootstrapServers()));
    admin.createTopics(List.of(new NewTopic("small-dlq", 1, (short) 1)
        .configs(Map.of("max.message.bytes", "100000")))).all().get();
  }

  @AfterAll
  static void stop() {
    admin.close();
    kafka.close();
  }

  private static JobConfig config(String topic, int maxDeadLetterBytes) {
    return JobConfigLoader.defaults(List.of("topics.deadLetters=" + topic,
        "limits.maxDeadLetterBytes=" + maxDeadLetterBytes));
  }

  @Test
  void aTopicThatTakesLessThanTheLargestDeadLetterIsRefusedWithTheFix() {
    var e = assertThrows(IllegalStateException.class,
        () -> DeadLetterTopic.requireAccepts(admin, config("small-dlq", 1 << 20)));
    assertTrue(e.getMessage().contains("max.message.bytes = 100000"), e.getMessage());
    assertTrue(e.getMessage().contains("limits.maxDeadLetterBytes = 1048576"), e.getMessage());
  }

  @Test
  void aTopicThatTakesItPasses() {
    assertDoesNotThrow(() -> DeadLetterTopic.requireAccepts(admin, config("small-dlq", 65536)));
  }

  @Test
  void aTopicNotYetCreatedIsJudgedByTheBrokersLimit() {
    assertDoesNotThrow(() -> DeadLetterTopic.requireAccepts(admin,
        config("not-yet", EmbeddedKafka.MAX_MESSAGE_BYTES)));
    var e = assertThrows(IllegalStateException.class, () -> DeadLetterTopic.requireAccepts(admin,
        config("not-yet", EmbeddedKafka.MAX_MESSAGE_BYTES + 1)));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }
}
