package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.ParameterizedMessage;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

class ConsoleLogTest {

  private static final String SOURCE_READER =
      "org.apache.flink.connector.kafka.source.reader.KafkaSourceReader";

  @Test
  void aRetriableWarningRepeatedAtEveryCheckpointReachesTheConsoleOnce() {
    ConsoleLog.OncePerMessage once = new ConsoleLog.OncePerMessage();

    assertEquals(Filter.Result.NEUTRAL, once.filter(commitFailed(1)));
    assertEquals(Filter.Result.DENY, once.filter(commitFailed(2)));
    assertEquals(Filter.Result.DENY, once.filter(commitFailed(3)));
  }

  @Test
  void otherMessagesLevelsAndLoggersStillGetThrough() {
    ConsoleLog.OncePerMessage once = new ConsoleLog.OncePerMessage();
    once.filter(commitFailed(1));

    assertEquals(Filter.Result.NEUTRAL, once.filter(event(SOURCE_READER, Level.ERROR,
        new ParameterizedMessage("Failed to commit consumer offsets for checkpoint {}", 4))));
    assertEquals(Filter.Result.NEUTRAL, once.filter(event("org.apache.flink.Other", Level.WARN,
        new ParameterizedMessage("Failed to commit consumer offsets for checkpoint {}", 5))));
    assertEquals(Filter.Result.NEUTRAL, once.filter(event(SOURCE_READER, Level.WARN,
        new SimpleMessage("Partition discovery failed"))));
  }

  @Test
  void numbersInAPlainMessageDoNotMakeItNew() {
    ConsoleLog.OncePerMessage once = new ConsoleLog.OncePerMessage();

    assertEquals(Filter.Result.NEUTRAL, once.filter(event(SOURCE_READER, Level.WARN,
        new SimpleMessage("checkpoint 7 of job 3b26 failed"))));
    assertEquals(Filter.Result.DENY, once.filter(event(SOURCE_READER, Level.WARN,
        new SimpleMessage("checkpoint 8 of job 3b26 failed"))));
  }

  private static LogEvent commitFailed(long checkpoint) {
    return event(SOURCE_READER, Level.WARN, new ParameterizedMessage(
        "Failed to commit consumer offsets for checkpoint {}", checkpoint));
  }

  private static LogEvent event(String logger, Level level,
      org.apache.logging.log4j.message.Message message) {
    return Log4jLogEvent.newBuilder().setLoggerName(logger).setLevel(level).setMessage(message)
        .build();
  }
}
