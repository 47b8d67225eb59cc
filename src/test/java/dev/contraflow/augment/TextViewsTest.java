package dev.contraflow.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.text.TokenizedSentence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextViewsTest {

  /** Ten tokens whose single id is their position, so a view's order is readable. */
  private static SentenceView tenTokens() {
    int[][] tokens = new int[10][];
    for (int t = 0; t < 10; t++) {
      tokens[t] = new int[] {t + 1};
    }
    return SentenceView.of(new TokenizedSentence("s", tokens));
  }

  private static List<Integer> ids(SentenceView v) {
    List<Integer> out = new ArrayList<>();
    for (int[] t : v.tokens()) {
      out.add(t[0]);
    }
    return out;
  }

  @Test
  void dropoutOnlyViewIsTheSentenceItself() {
    SentenceView v = tenTokens();
    assertSame(v, TextView.identity().apply(v, new Rng(1)));
    SentenceView[] two = TextViews.simcse().twoViews(
        new TokenizedSentence("s", v.tokens()), new Rng(1));
    assertEquals(ids(two[0]), ids(two[1]));
  }

  @Test
  void wordRepetitionDuplicatesWordsInPlaceWithinTheRate() {
    Rng rng = new Rng(3);
    boolean sawLonger = false;
    for (int i = 0; i < 50; i++) {
      SentenceView out = WordRepetition.esimcse().apply(tenTokens(), rng);
      int extra = out.length() - 10;
      // up to max(2, 0.32 * 10) = 3 duplicated words
      assertTrue(extra >= 0 && extra <= 3, "extra " + extra);
      sawLonger |= extra > 0;
      List<Integer> distinct = ids(out).stream().distinct().toList();
      assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), distinct, "order kept: " + ids(out));
    }
    assertTrue(sawLonger);
  }

  @Test
  void wordDeletionRemovesWordsButNeverAll() {
    assertEquals(1, new WordDeletion(1.0).apply(tenTokens(), new Rng(2)).length());
    SentenceView out = new WordDeletion(0.3).apply(tenTokens(), new Rng(2));
    assertTrue(out.length() < 10 && out.length() >= 1);
    List<Integer> kept = ids(out);
    assertEquals(kept.stream().sorted().toList(), kept, "order kept");
  }

  @Test
  void tokenShuffleIsAPermutation() {
    SentenceView out = new TokenShuffle().apply(tenTokens(), new Rng(4));
    assertNotEquals(ids(tenTokens()), ids(out));
    assertEquals(ids(tenTokens()), ids(out).stream().sorted().toList());
  }

  @Test
  void tokenCutoffZeroesSomeTokensButNotAll() {
    SentenceView out = new TokenCutoff(0.2).apply(tenTokens(), new Rng(5));
    int cut = 0;
    for (boolean c : out.cutTokens()) {
      cut += c ? 1 : 0;
    }
    assertEquals(2, cut);
    assertEquals(ids(tenTokens()), ids(out), "ids unchanged; the embeddings are zeroed");
    SentenceView one = SentenceView.of(new TokenizedSentence("s", new int[][] {{1}}));
    assertFalse(new TokenCutoff(0.5).apply(one, new Rng(5)).cutTokens()[0], "never all tokens");
  }

  @Test
  void featureCutoffZeroesTheSameDimensionsForEveryToken() {
    SentenceView out = new FeatureCutoff(0.25, 8).apply(tenTokens(), new Rng(6));
    assertEquals(8, out.cutFeatures().length);
    int cut = 0;
    for (boolean c : out.cutFeatures()) {
      cut += c ? 1 : 0;
    }
    assertEquals(2, cut);
    assertFalse(Arrays.asList(out.cutTokens()).contains(true));
  }

  @Test
  void viewsComposeAndShuffleCarriesCutoffsWithTheirTokens() {
    TextView v = new TokenCutoff(0.1).andThen(new TokenShuffle());
    SentenceView out = v.apply(tenTokens(), new Rng(7));
    SentenceView cutOnly = new TokenCutoff(0.1).apply(tenTokens(), new Rng(7));
    int cutId = -1;
    for (int t = 0; t < 10; t++) {
      if (cutOnly.cutTokens()[t]) {
        cutId = cutOnly.tokens()[t][0];
      }
    }
    for (int t = 0; t < 10; t++) {
      assertEquals(out.tokens()[t][0] == cutId, out.cutTokens()[t]);
    }
  }

  @Test
  void theSameSeedGivesTheSameViews() {
    TextViews consert = TextViews.consert(8);
    TokenizedSentence s = new TokenizedSentence("s", tenTokens().tokens());
    SentenceView[] a = consert.twoViews(s, new Rng(9));
    SentenceView[] b = consert.twoViews(s, new Rng(9));
    assertEquals(ids(a[0]), ids(b[0]));
    assertArrayEquals(a[1].cutFeatures(), b[1].cutFeatures());
  }

  @Test
  void ratesOutsideZeroToOneAreRefusedWithThePaperValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new WordRepetition(1.5));
    assertTrue(e.getMessage().contains("ESimCSE uses 0.32"), e.getMessage());
  }
}
