package dev.contraflow.io.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SentenceTokenizerTest {

  private final SentenceTokenizer tokenizer = new SentenceTokenizer(TokenizerConfig.defaults());

  @Test
  void wordsAndPunctuationAreSeparateLowerCasedTokens() throws Exception {
    assertEquals(List.of("hello", ",", "world", "!"), tokenizer.words("a", "Hello, World!"));
  }

  @Test
  void nfkcMakesCompatibilityFormsTheSameToken() throws Exception {
    // full-width letters, the "fi" ligature, a composed vs decomposed e-acute
    assertEquals(tokenizer.words("a", "file cafe\u0301 ABC"),
        tokenizer.words("b", "\uFB01le caf\u00e9 \uFF21\uFF22\uFF23"));
    assertArrayEquals(tokenizer.tokenize("a", "caf\u00e9").tokens()[0],
        tokenizer.tokenize("b", "cafe\u0301").tokens()[0]);
  }

  @Test
  void lowerCasingIsOptional() throws Exception {
    TokenizerConfig d = TokenizerConfig.defaults();
    SentenceTokenizer cased = new SentenceTokenizer(new TokenizerConfig(d.buckets(), d.ngramMin(),
        d.ngramMax(), d.slotsPerToken(), d.maxTokens(), d.maxChars(), false));
    assertEquals(List.of("Paris", "paris"), cased.words("a", "Paris paris"));
    assertNotEquals(cased.tokenize("a", "Paris").tokens()[0][0],
        cased.tokenize("b", "paris").tokens()[0][0]);
  }

  @Test
  void nonLatinScriptsStayWords() throws Exception {
    assertEquals(List.of("\u043f\u0440\u0438\u0432\u0435\u0442", "\u4e16\u754c", "\u0928\u092e\u0938\u094d\u0924\u0947"),
        tokenizer.words("a", "\u041f\u0440\u0438\u0432\u0435\u0442 \u4e16\u754c \u0928\u092e\u0938\u094d\u0924\u0947"));
  }

  @Test
  void anEmojiWithModifiersAndJoinersIsOneToken() throws Exception {
    String family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67"; // man ZWJ woman ZWJ girl
    String thumbs = "\uD83D\uDC4D\uD83C\uDFFD"; // thumbs up, medium skin tone
    String heart = "\u2764\uFE0F"; // heart with emoji presentation
    assertEquals(List.of("love", family, thumbs, heart),
        tokenizer.words("a", "love " + family + thumbs + heart));
    assertEquals(4, tokenizer.tokenize("a", "love " + family + thumbs + heart).length());
  }

  @Test
  void emptyOrBlankTextIsRefusedWithAReason() {
    for (String text : new String[] {"", "   \t\n", "\u200B\u00A0"}) {
      InvalidSentenceException e = assertThrows(InvalidSentenceException.class,
          () -> tokenizer.tokenize("r7", text));
      assertEquals("r7", e.recordId());
      assertTrue(e.reason().startsWith("empty text"), e.reason());
    }
    assertThrows(InvalidSentenceException.class, () -> tokenizer.tokenize("r8", null));
  }

  @Test
  void overLongTextIsRefusedAndLongSentencesAreTruncated() throws Exception {
    InvalidSentenceException e = assertThrows(InvalidSentenceException.class,
        () -> tokenizer.tokenize("big", "a".repeat(10_001)));
    assertTrue(e.reason().contains("10001 characters"), e.reason());
    TokenizedSentence s = tokenizer.tokenize("long", "word ".repeat(500));
    assertEquals(TokenizerConfig.defaults().maxTokens(), s.length());
  }

  @Test
  void idsAreHashedWordsAndSubwordsInRangeAndStable() throws Exception {
    TokenizerConfig c = TokenizerConfig.defaults();
    int[] a = tokenizer.tokenize("a", "representation").tokens()[0];
    assertEquals(c.slotsPerToken(), a.length);
    for (int id : a) {
      assertTrue(id >= 1 && id < c.buckets(), "id " + id);
    }
    assertArrayEquals(a, new SentenceTokenizer(c).tokenize("b", "representation").tokens()[0]);
    // a misspelling shares subword ids with the word
    int[] b = tokenizer.tokenize("c", "representaton").tokens()[0];
    long shared = java.util.Arrays.stream(b).filter(x -> java.util.Arrays.stream(a)
        .anyMatch(y -> y == x)).count();
    assertTrue(shared >= 2, "shared subword ids: " + shared);
    // a one-letter word fills its slots with its own id
    int[] single = tokenizer.tokenize("d", "a").tokens()[0];
    assertEquals(single[0], single[c.slotsPerToken() - 1]);
  }
}
