package dev.contraflow.cli;

import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.io.text.TokenizedSentence;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Sentences from a UTF-8 text file, one a line; a sentence's id is its 0-based line number. */
final class SentenceInputOptions {

  @Option(names = "--sentences",
      description = "UTF-8 text file, one sentence a line (ids: 0-based line numbers).")
  Path sentences;

  boolean given() {
    return sentences != null;
  }

  /**
   * The tokenised lines (the first {@code limit}, 0 = all). A line that cannot be a sentence -
   * empty, or longer than the tokenizer's limit - is reported with its number and reason, like a
   * dead letter, and left out.
   */
  List<TokenizedSentence> load(SentenceTokenizer tokenizer, int limit, PrintStream report)
      throws IOException {
    if (limit < 0) {
      throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
    }
    if (!Files.isRegularFile(sentences)) {
      throw new IOException("sentence file " + sentences + " does not exist");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(sentences, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new IOException("sentence file " + sentences + " is not UTF-8 text", e);
    }
    int n = limit > 0 ? Math.min(limit, lines.size()) : lines.size();
    List<TokenizedSentence> out = new ArrayList<>(n);
    int refused = 0;
    for (int i = 0; i < n; i++) {
      try {
        out.add(tokenizer.tokenize(Integer.toString(i), lines.get(i)));
      } catch (InvalidSentenceException e) {
        if (refused++ < 20) {
          report.printf("dead letter: line %d: %s%n", i, e.reason());
        }
      }
    }
    report.printf("loaded %d sentences from %s%s%n", out.size(), sentences,
        refused > 0 ? " (" + refused + " line(s) refused)" : "");
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no usable sentence in " + sentences);
    }
    return out;
  }
}
