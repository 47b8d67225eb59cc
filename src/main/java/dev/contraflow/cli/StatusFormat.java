package dev.contraflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * How {@code learn} prints its status: a line for people, or one JSON object a line for scripts.
 * A figure that does not exist yet (no step taken, no lag reported) is {@code —} in text and null
 * in JSON, never NaN.
 */
enum StatusFormat {
  TEXT {
    @Override
    String status(JobStatus s) {
      StringBuilder line = new StringBuilder(ProgressLine.format(s.elapsed().toSeconds()))
          .append(' ').append(s.state());
      for (JobStatus.Input in : s.inputs()) {
        line.append(" | read ").append(in.topic()).append(' ').append(count(in.read()))
            .append(" (lag ").append(count(in.lag())).append(')');
      }
      line.append(" | embeddings ").append(count(s.embeddings()))
          .append(" | dead letters ").append(count(s.deadLetters()))
          .append(" | checkpoints ").append(s.checkpoints());
      for (JobStatus.Model m : s.models()) {
        line.append(" | ").append(m.modelId()).append(": step ").append(m.step())
            .append(" loss ").append(ProgressLine.figure(m.loss(), "%.4f"))
            .append(" std ").append(ProgressLine.figure(m.embeddingStd(), "%.4f"))
            .append(" published ").append(m.published().isPresent()
                ? "v" + m.published().getAsLong() : ProgressLine.MISSING);
      }
      return line.toString();
    }

    @Override
    String stopped(JobStatus last, String how, int exitCode, String savepoint) {
      return "contraflow learn: " + how + " after " + ProgressLine.format(
          last.elapsed().toSeconds()) + (savepoint == null ? "" : ", savepoint " + savepoint)
          + ", exit code " + exitCode + "\n  last status: " + status(last);
    }
  },

  JSON {
    @Override
    String status(JobStatus s) {
      return node("status", s).toString();
    }

    @Override
    String stopped(JobStatus last, String how, int exitCode, String savepoint) {
      ObjectNode n = node("stopped", last).put("how", how).put("exitCode", exitCode);
      n.put("savepoint", savepoint);
      return n.toString();
    }
  };

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** One status line. */
  abstract String status(JobStatus s);

  /**
   * The summary when the job ends: {@code how} it ended (e.g. "stopped on SIGTERM"), the exit
   * code, the savepoint taken (null for none) and the last status read.
   */
  abstract String stopped(JobStatus last, String how, int exitCode, String savepoint);

  private static ObjectNode node(String event, JobStatus s) {
    ObjectNode n = MAPPER.createObjectNode()
        .put("event", event)
        .put("elapsedSeconds", s.elapsed().toSeconds())
        .put("state", s.state())
        .put("embeddings", s.embeddings())
        .put("deadLetters", s.deadLetters())
        .put("checkpoints", s.checkpoints());
    ObjectNode inputs = n.putObject("inputs");
    for (JobStatus.Input in : s.inputs()) {
      ObjectNode i = inputs.putObject(in.topic()).put("read", in.read());
      put(i, "lag", in.lag());
    }
    ObjectNode models = n.putObject("models");
    for (JobStatus.Model m : s.models()) {
      ObjectNode o = models.putObject(m.modelId()).put("step", m.step());
      put(o, "loss", m.loss());
      put(o, "embeddingStd", m.embeddingStd());
      put(o, "published", m.published());
    }
    return n;
  }

  private static void put(ObjectNode n, String field, double value) {
    if (Double.isFinite(value)) {
      n.put(field, value);
    } else {
      n.putNull(field);
    }
  }

  private static void put(ObjectNode n, String field, OptionalLong value) {
    if (value.isPresent()) {
      n.put(field, value.getAsLong());
    } else {
      n.putNull(field);
    }
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String count(OptionalLong n) {
    return n.isPresent() ? count(n.getAsLong()) : ProgressLine.MISSING;
  }
}
