package dev.contraflow.cli;

import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.InvalidImageException;
import dev.contraflow.io.record.InvalidRecordException;
import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.learn.PairExample;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Image-text pairs from a UTF-8 file of tab-separated lines {@code image<TAB>caption}: the image is
 * a PNG or JPEG file, its path relative to the pairs file's folder. A pair's id is its 0-based line
 * number.
 */
final class PairInputOptions {

  @Option(names = "--pairs",
      description = "Image-text pairs for CLIP: UTF-8 lines 'image-file<TAB>caption', image paths"
          + " relative to this file's folder (ids: 0-based line numbers).")
  Path pairs;

  boolean given() {
    return pairs != null;
  }

  /**
   * The usable pairs of the first {@code limit} lines (0 = all). A line that cannot be a pair - no
   * tab, an image that does not decode (images are decoded to the image tower's input), a caption
   * the tokenizer refuses - is reported with its number and reason, like a dead letter, and left
   * out.
   */
  List<PairExample> load(SentenceTokenizer tokenizer, ImageDecoder decoder, int limit,
      PrintStream report) throws IOException {
    if (limit < 0) {
      throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
    }
    if (!Files.isRegularFile(pairs)) {
      throw new IOException("pairs file " + pairs + " does not exist");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(pairs, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new IOException("pairs file " + pairs + " is not UTF-8 text", e);
    }
    Path folder = pairs.toAbsolutePath().getParent();
    int n = limit > 0 ? Math.min(limit, lines.size()) : lines.size();
    List<PairExample> out = new ArrayList<>(n);
    int refused = 0;
    for (int i = 0; i < n; i++) {
      String id = Integer.toString(i);
      try {
        out.add(parse(id, lines.get(i), folder, tokenizer, decoder));
      } catch (InvalidRecordException e) {
        if (refused++ < 20) {
          report.printf("dead letter: line %d: %s%n", i, e.reason());
        }
      }
    }
    report.printf("loaded %d pairs from %s%s%n", out.size(), pairs,
        refused > 0 ? " (" + refused + " line(s) refused)" : "");
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no usable pair in " + pairs);
    }
    return out;
  }

  private static PairExample parse(String id, String line, Path folder,
      SentenceTokenizer tokenizer, ImageDecoder decoder)
      throws InvalidImageException, InvalidSentenceException {
    int tab = line.indexOf('\t');
    if (tab < 0) {
      throw new InvalidImageException(id, "no tab between image file and caption");
    }
    Path file = folder.resolve(line.substring(0, tab).strip());
    Image image = decoder.decode(id, file); // straight to the image tower's input size
    return new PairExample(id, image, tokenizer.tokenize(id, line.substring(tab + 1)));
  }
}
