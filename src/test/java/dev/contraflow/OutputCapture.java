package dev.contraflow;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Everything a piece of code lets out while it runs: what it writes to System.out and
 * System.err (still passed on to them), and every log event of every logger, with the stack
 * traces of logged exceptions. For tests that no secret is printed or logged: they look at what
 * the user and the log files would see, not only at {@code toString}.
 */
public final class OutputCapture implements AutoCloseable {

  private final ByteArrayOutputStream streams = new ByteArrayOutputStream();
  private final StringBuffer logged = new StringBuffer();
  private final PrintStream out = System.out;
  private final PrintStream err = System.err;
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);

  private OutputCapture(Level level) {
    System.setOut(new PrintStream(new Tee(out), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new Tee(err), true, StandardCharsets.UTF_8));
    AbstractAppender appender = new AbstractAppender("output-capture", null, null, true,
        Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        logged.append(event.getLevel()).append(' ').append(event.getLoggerName()).append(" - ")
            .append(event.getMessage().getFormattedMessage()).append('\n');
        if (event.getThrown() != null) {
          StringWriter trace = new StringWriter();
          event.getThrown().printStackTrace(new PrintWriter(trace));
          logged.append(trace);
        }
      }
    };
    appender.start();
    Configuration config = context.getConfiguration();
    config.addAppender(appender);
    // every event reaches the root logger's appenders (the configured loggers are additive)
    config.getRootLogger().addAppender(appender, null, null);
    if (level != null) {
      config.getRootLogger().setLevel(level);
      for (LoggerConfig logger : config.getLoggers().values()) {
        logger.setLevel(level);
      }
    }
    context.updateLoggers();
  }

  /**
   * Starts capturing; with {@code level} every logger logs at that level meanwhile (INFO shows
   * the Kafka clients' dumps of their settings), with null the configured levels stay.
   */
  public static OutputCapture start(Level level) {
    return new OutputCapture(level);
  }

  /** What was written to System.out and System.err, then every log line, so far. */
  public String text() {
    synchronized (streams) {
      return streams.toString(StandardCharsets.UTF_8) + logged;
    }
  }

  /** Restores System.out, System.err and the logging configuration of log4j2-test.properties. */
  @Override
  public void close() {
    System.setOut(out);
    System.setErr(err);
    context.reconfigure();
  }

  private final class Tee extends OutputStream {
    private final PrintStream original;

    Tee(PrintStream original) {
      this.original = original;
    }

    @Override
    public void write(int b) {
      synchronized (streams) {
        streams.write(b);
      }
      original.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      synchronized (streams) {
        streams.write(b, off, len);
      }
      original.write(b, off, len);
    }
  }
}
