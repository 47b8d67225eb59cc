package dev.contraflow.io.text;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Text to {@link TokenizedSentence}s with no download: Unicode NFKC normalisation (so full-width,
 * ligature and compatibility forms map to one token), optional lower-casing, then words (runs of
 * letters, digits and combining marks) and single symbols (punctuation, emoji: an emoji with its
 * modifiers, variation selectors and zero-width-joined parts stays one token). Each token gets a
 * hashed word id and hashed character n-gram ids ({@link TokenizerConfig}).
 *
 * <p>Text longer than {@code maxChars} or without any token is refused; a sentence with more than
 * {@code maxTokens} tokens is truncated (the model only sees that many).
 */
public final class SentenceTokenizer {

  private static final int ZERO_WIDTH_JOINER = 0x200D;

  private final TokenizerConfig config;

  public SentenceTokenizer(TokenizerConfig config) {
    this.config = config;
  }

  public TokenizerConfig config() {
    return config;
  }

  /** @throws InvalidSentenceException for empty or over-long text */
  public TokenizedSentence tokenize(String id, String text) throws InvalidSentenceException {
    List<String> words = words(id, text);
    int n = Math.min(words.size(), config.maxTokens());
    int[][] tokens = new int[n][];
    for (int t = 0; t < n; t++) {
      tokens[t] = ids(words.get(t));
    }
    return new TokenizedSentence(id, tokens);
  }

  /** The normalised tokens as strings, before hashing and truncation. */
  public List<String> words(String id, String text) throws InvalidSentenceException {
    if (text == null) {
      throw new InvalidSentenceException(id, "no text");
    }
    int chars = text.codePointCount(0, text.length());
    if (chars > config.maxChars()) {
      throw new InvalidSentenceException(id, "text of " + chars + " characters is longer than the "
          + "limit of " + config.maxChars() + " (split it into sentences)");
    }
    String normal = Normalizer.normalize(text, Normalizer.Form.NFKC);
    if (config.lowerCase()) {
      normal = normal.toLowerCase(Locale.ROOT);
    }
    List<String> words = split(normal);
    if (words.isEmpty()) {
      throw new InvalidSentenceException(id, "empty text (no word or symbol after normalisation)");
    }
    return words;
  }

  private static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (isWordPart(cp)) {
        word.appendCodePoint(cp);
        continue;
      }
      flush(word, out);
      if (Character.isWhitespace(cp) || Character.isISOControl(cp) || Character.isSpaceChar(cp)
          || Character.getType(cp) == Character.FORMAT) {
        continue; // separators, and invisible format characters (zero-width space, BOM) outside emoji
      }
      if (attachesToPrevious(cp) && !out.isEmpty()) {
        out.set(out.size() - 1, out.get(out.size() - 1) + Character.toString(cp));
        continue;
      }
      StringBuilder symbol = new StringBuilder().appendCodePoint(cp);
      // an emoji sequence: modifiers, variation selectors, and ZWJ plus the next symbol
      while (i < s.length()) {
        int next = s.codePointAt(i);
        if (next == ZERO_WIDTH_JOINER && i + 1 < s.length()) {
          int joined = s.codePointAt(i + 1);
          symbol.appendCodePoint(next).appendCodePoint(joined);
          i += 1 + Character.charCount(joined);
        } else if (attachesToPrevious(next)) {
          symbol.appendCodePoint(next);
          i += Character.charCount(next);
        } else {
          break;
        }
      }
      out.add(symbol.toString());
    }
    flush(word, out);
    return out;
  }

  private static boolean isWordPart(int cp) {
    int type = Character.getType(cp);
    return Character.isLetterOrDigit(cp) || type == Character.NON_SPACING_MARK
        || type == Character.COMBINING_SPACING_MARK || type == Character.ENCLOSING_MARK;
  }

  /** Variation selectors and emoji skin-tone modifiers belong to the symbol before them. */
  private static boolean attachesToPrevious(int cp) {
    return (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x1F3FB && cp <= 0x1F3FF)
        || (cp >= 0xE0020 && cp <= 0xE007F); // tag characters of flag sequences
  }

  private static void flush(StringBuilder word, List<String> out) {
    if (word.length() > 0) {
      out.add(word.toString());
      word.setLength(0);
    }
  }

  /** The word id, then evenly spaced n-gram ids, then the word id again to fill the slots. */
  int[] ids(String word) {
    int slots = config.slotsPerToken();
    int[] ids = new int[slots];
    int wordId = bucket("w", word);
    Arrays.fill(ids, wordId);
    List<String> grams = ngrams(word);
    int room = Math.min(slots - 1, grams.size());
    for (int j = 0; j < room; j++) {
      // evenly spaced, so a long word is covered from its beginning to its end
      int pick = (int) ((long) j * grams.size() / room);
      ids[1 + j] = bucket("g", grams.get(pick));
    }
    return ids;
  }

  private List<String> ngrams(String word) {
    String w = "<" + word + ">";
    int[] cps = w.codePoints().toArray();
    List<String> out = new ArrayList<>();
    for (int n = config.ngramMin(); n <= config.ngramMax(); n++) {
      for (int start = 0; start + n <= cps.length; start++) {
        if (n == cps.length) {
          continue; // the whole "<word>" is the word id already
        }
        out.add(new String(cps, start, n));
      }
    }
    return out;
  }

  /** FNV-1a of the kind-prefixed UTF-8 bytes, into [1, buckets). */
  private int bucket(String kind, String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : (kind + ":" + s).getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
    }
    return 1 + (int) Long.remainderUnsigned(h, config.buckets() - 1);
  }
}
