package dev.contraflow.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Jane Austen's six completed novels (scripts/fetch-janeausten.sh) as ordered sentence streams: a
 * second real English source beside WordNet, with document order for CPC. Each novel's printed
 * lines are joined into paragraphs (blank lines separate them); title pages, volume and chapter
 * headings and anything after the closing "THE END" / "FINIS" are dropped; paragraphs are split into sentences after '.', '!' or '?' (and any closing
 * quotes) followed by white space and a word that is not in lower case, except after the honorifics
 * and initials that end in a full stop ("Mr. Knightley", "Mrs. Weston").
 */
public final class AustenNovels {

  /** The six novels in publication order of their files (the fetch script's names). */
  public static final List<String> TITLES =
      List.of(
          "sense-and-sensibility",
          "pride-and-prejudice",
          "mansfield-park",
          "emma",
          "northanger-abbey",
          "persuasion");

  /**
   * @param title one of {@link #TITLES}; its index is the novel's label
   * @param sentences in reading order
   */
  public record Novel(String title, List<String> sentences) {}

  private static final Pattern HEADING =
      Pattern.compile("^(CHAPTER|VOLUME|Chapter|Volume)\\s+[IVXLC0-9]+\\.?\\s*$");
  /** The novel's last line; a transcriber's note may follow it. */
  private static final Pattern THE_END = Pattern.compile("^(THE END|FINIS|Finis)\\.?$");
  private static final Pattern ABBREVIATION =
      Pattern.compile("(?:^|\\s)(?:Mr|Mrs|Messrs|Dr|St|Col|Capt|Lt|Sir|[A-Z])\\.$");

  private AustenNovels() {}

  /** All six novels from {@code dir}, in {@link #TITLES} order. */
  public static List<Novel> load(Path dir) throws IOException {
    List<Novel> out = new ArrayList<>();
    for (String title : TITLES) {
      Path file = dir.resolve(title + ".txt");
      if (!Files.isRegularFile(file)) {
        throw new IOException("no " + file + " (fetch the novels with scripts/fetch-janeausten.sh)");
      }
      out.add(new Novel(title, sentences(Files.readAllLines(file, StandardCharsets.UTF_8))));
    }
    return out;
  }

  /** The sentences of one novel's printed lines, in order. */
  static List<String> sentences(List<String> lines) {
    List<String> out = new ArrayList<>();
    boolean started = false; // the title page ends at the first heading
    StringBuilder paragraph = new StringBuilder();
    for (String raw : lines) {
      String line = raw.strip();
      if (THE_END.matcher(line).matches()) {
        break;
      }
      if (HEADING.matcher(line).matches()) {
        started = true;
        split(paragraph, out);
        continue;
      }
      if (!started) {
        continue;
      }
      if (line.isEmpty()) {
        split(paragraph, out);
      } else {
        if (paragraph.length() > 0) {
          paragraph.append(' ');
        }
        paragraph.append(line);
      }
    }
    split(paragraph, out);
    return out;
  }

  /** Splits a paragraph into sentences, appends them, and empties the paragraph. */
  private static void split(StringBuilder paragraph, List<String> out) {
    String text = paragraph.toString().replaceAll("\\s+", " ").strip();
    paragraph.setLength(0);
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '.' && c != '!' && c != '?') {
        continue;
      }
      int end = i + 1;
      while (end < text.length() && "\"'\u201d\u2019)_".indexOf(text.charAt(end)) >= 0) {
        end++;
      }
      // a quotation that ends in '!' or '?' inside a sentence goes on in lower case: "...!" said he
      boolean atBreak =
          end == text.length()
              || (text.charAt(end) == ' '
                  && !(end + 1 < text.length() && Character.isLowerCase(text.charAt(end + 1))));
      if (!atBreak || (c == '.' && ABBREVIATION.matcher(text.substring(start, i + 1)).find())) {
        continue;
      }
      add(text.substring(start, end), out);
      start = end;
      i = end - 1;
    }
    add(text.substring(start), out);
  }

  private static void add(String sentence, List<String> out) {
    String s = sentence.strip();
    if (s.chars().anyMatch(Character::isLetter)) {
      out.add(s);
    }
  }
}
