package dev.contraflow.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.apache.logging.log4j.core.filter.AbstractFilterable;

/**
 * The command line's log (log4j2.properties): one file per command run with everything in it, and
 * a console that says each kind of warning once, in one line. A retriable condition such as an
 * offset commit before the group coordinator is up fails at every checkpoint for a while; its
 * first occurrence tells the user, the rest only fill the screen.
 */
final class ConsoleLog {

  /** The system property log4j2.properties names the log file by. */
  static final String FILE_PROPERTY = "contraflow.log.file";

  private ConsoleLog() {}

  /**
   * Names this run's log file (unless {@code -Dcontraflow.log.file} did) after the command in
   * {@code args}; call before anything logs.
   */
  static void nameFile(String[] args) {
    if (System.getProperty(FILE_PROPERTY) != null) {
      return;
    }
    String command = "contraflow";
    for (String a : args) {
      if (!a.startsWith("-")) {
        command = a.replaceAll("[^A-Za-z0-9_-]", "_");
        break;
      }
    }
    String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path file = Path.of(System.getProperty("java.io.tmpdir"), "contraflow", "logs",
        command + "-" + time + "-" + ProcessHandle.current().pid() + ".log");
    System.setProperty(FILE_PROPERTY, file.toString());
  }

  /** Where this run logs everything, for the first line of a command and its error messages. */
  static Path file() {
    String file = System.getProperty(FILE_PROPERTY);
    return file == null ? null : Path.of(file);
  }

  /** "; details in FILE" once the log file exists, else "". */
  static String details() {
    Path file = file();
    return file != null && Files.exists(file) ? "; details in " + file : "";
  }

  /** Makes the console appender drop repeats (a no-op where log4j is not the logger). */
  static void sayEachWarningOnce() {
    if (LogManager.getContext(false) instanceof LoggerContext context) {
      Appender console = context.getConfiguration().getAppender("console");
      if (console instanceof AbstractFilterable filterable) {
        filterable.addFilter(new OncePerMessage());
      }
    }
  }

  /**
   * Passes the first event of each logger, level and message template ("Failed to commit consumer
   * offsets for checkpoint {}"), denies the repeats. Bounded: past {@link #MAX_KINDS} kinds it
   * forgets and starts over rather than grow.
   */
  static final class OncePerMessage extends AbstractFilter {

    static final int MAX_KINDS = 10_000;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    OncePerMessage() {
      super(Filter.Result.NEUTRAL, Filter.Result.DENY);
    }

    @Override
    public Result filter(LogEvent event) {
      if (seen.size() >= MAX_KINDS) {
        seen.clear();
      }
      String template = event.getMessage() == null ? "" : event.getMessage().getFormat();
      String kind = event.getLevel() + " " + event.getLoggerName() + " "
          + (template == null ? "" : template.replaceAll("\\d+", "#"));
      return seen.add(kind) ? onMatch : onMismatch;
    }
  }
}
