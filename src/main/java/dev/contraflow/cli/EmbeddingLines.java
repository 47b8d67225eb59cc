package dev.contraflow.cli;

import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.core.util.Separators.Spacing;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SequenceWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code embed}'s output: one JSON object a line, {@code {"id": 3, "vector": [0.25, -1.0]}},
 * written by Jackson's {@link SequenceWriter}. The spacing after {@code :} and {@code ,} and the
 * newline after the last line keep the files byte for byte as they were when the lines were
 * built by hand, so nothing that reads them changes.
 */
final class EmbeddingLines implements Closeable {

  /** One line: the record's 0-based index (or line number) and its embedding. */
  private record Line(int id, float[] vector) {}

  private static final ObjectWriter LINE = new ObjectMapper().writerFor(Line.class)
      .with(new DefaultPrettyPrinter(new Separators("\n", ':', Spacing.AFTER, ',', Spacing.AFTER,
          "", ',', Spacing.AFTER, ""))
          .withObjectIndenter(new DefaultPrettyPrinter.NopIndenter())
          .withArrayIndenter(new DefaultPrettyPrinter.NopIndenter()));

  private final Writer out;
  private final SequenceWriter lines;
  private boolean empty = true;

  private EmbeddingLines(Writer out) throws IOException {
    this.out = out;
    this.lines = LINE.writeValues(out);
  }

  /** Writes to {@code file}, replacing it. */
  static EmbeddingLines create(Path file) throws IOException {
    return new EmbeddingLines(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
  }

  /** Writes to {@code out}, which {@link #close()} closes. */
  static EmbeddingLines to(Writer out) throws IOException {
    return new EmbeddingLines(out);
  }

  void write(int id, float[] vector) throws IOException {
    lines.write(new Line(id, vector));
    empty = false;
  }

  @Override
  public void close() throws IOException {
    try (lines) {
      // the sequence separates its values by newlines; the last line ends with one too
      lines.flush();
      if (!empty) {
        out.write('\n');
      }
    }
  }
}
