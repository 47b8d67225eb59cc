package dev.contraflow.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * WordNet 3.0 synsets with their glosses, from the database files {@code data.noun},
 * {@code data.verb}, {@code data.adj}, {@code data.adv} (scripts/fetch-wordnet.sh). Each synset's
 * gloss is split into its definition and its quoted usage examples; its label is the
 * lexicographer file (noun.animal, verb.motion, adj.all ...: 45 classes), assigned by WordNet's
 * lexicographers, not by this project.
 */
public final class WordNetGlosses {

  private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");

  /**
   * @param key part of speech and byte offset, unique across the four files
   * @param lexFile lexicographer file number, 0..44
   * @param definition the gloss without its examples
   * @param examples the quoted usage examples (possibly none)
   */
  public record Synset(String key, int lexFile, String definition, List<String> examples) {}

  private WordNetGlosses() {}

  public static List<Synset> load(Path dir) throws IOException {
    List<Synset> out = new ArrayList<>();
    for (String pos : List.of("noun", "verb", "adj", "adv")) {
      Path file = dir.resolve("data." + pos);
      if (!Files.isRegularFile(file)) {
        throw new IOException("no " + file + " (fetch WordNet with scripts/fetch-wordnet.sh)");
      }
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        Synset s = parse(pos, line);
        if (s != null) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** One line of a data file; null for the licence header and glossless lines. */
  static Synset parse(String pos, String line) {
    int bar = line.indexOf(" | ");
    if (line.startsWith("  ") || bar < 0) {
      return null;
    }
    String[] fields = line.substring(0, bar).split(" ");
    String gloss = line.substring(bar + 3).trim();
    List<String> examples = new ArrayList<>();
    Matcher m = QUOTED.matcher(gloss);
    while (m.find()) {
      examples.add(m.group(1).trim());
    }
    int firstQuote = gloss.indexOf('"');
    String definition = (firstQuote < 0 ? gloss : gloss.substring(0, firstQuote)).trim();
    definition = definition.replaceAll("[;\\s]+$", "");
    if (definition.isEmpty()) {
      return null;
    }
    return new Synset(pos + ":" + fields[0], Integer.parseInt(fields[1]), definition, examples);
  }

  /** Whether a synset belongs to the held-out tenth (a hash of its key, so stable across runs). */
  public static boolean heldOut(Synset s) {
    return Math.floorMod(s.key().hashCode() * 0x9E3779B1, 10) == 0;
  }
}
