package dev.contraflow.io.text;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Any text through the tokenizer (docs/fuzzing.md): at most maxTokens tokens of bucket ids in
 * range, or {@link InvalidSentenceException}. The seed corpus (SentenceTokenizerFuzzTestInputs)
 * runs in every build.
 */
class SentenceTokenizerFuzzTest {

  private static final TokenizerConfig CONFIG = TokenizerConfig.defaults();
  private final SentenceTokenizer tokenizer = new SentenceTokenizer(CONFIG);

  @FuzzTest(maxDuration = "5m")
  void anyTextTokenizesWithinItsBoundsOrIsRefused(byte[] utf8) {
    String text = new String(utf8, StandardCharsets.UTF_8); // malformed bytes become U+FFFD
    try {
      TokenizedSentence s = tokenizer.tokenize("fuzz", text);
      assertTrue(s.length() <= CONFIG.maxTokens(), s.length() + " tokens");
      for (int[] token : s.tokens()) {
        for (int id : token) {
          assertTrue(id >= 0 && id < CONFIG.buckets(), "bucket " + id);
        }
      }
    } catch (InvalidSentenceException refused) {
      // the one way to refuse
    }
  }
}
