package dev.contraflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.io.text.TokenizerConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bench cpc's protocol on six made-up novels whose sentences name their novel and place. */
class CpcBenchmarkTest {

  private static final SentenceTokenizer TOKENIZER =
      new SentenceTokenizer(new TokenizerConfig(512, 3, 4, 3, 12, 1000, true));

  private static List<AustenNovels.Novel> novels(int sentences) {
    List<AustenNovels.Novel> out = new ArrayList<>();
    for (int n = 0; n < 6; n++) {
      List<String> s = new ArrayList<>();
      for (int i = 0; i < sentences; i++) {
        s.add("novel" + n + " sentence" + i);
      }
      out.add(new AustenNovels.Novel(AustenNovels.TITLES.get(n), s));
    }
    return out;
  }

  @Test
  void theStreamReadsSequencesInParallelBurstByBurstAndNeverTheHeldOutNovel() {
    CpcBenchmark.Data d = CpcBenchmark.prepare(novels(8), TOKENIZER, 4, 3, 2, 100, 3, 1L);
    // five novels of 8 sentences in sequences of 4
    assertEquals(40, d.stream().size());
    assertFalse(d.stream().stream().anyMatch(e -> e.sequence().startsWith("persuasion")));
    // the first group: three sequences, two sentences each in turn, then the next two of each
    List<String> first = d.stream().subList(0, 12).stream()
        .map(e -> e.sequence() + "@" + e.position()).toList();
    String a = first.get(0).split("@")[0];
    String b = first.get(2).split("@")[0];
    String c = first.get(4).split("@")[0];
    assertEquals(List.of(a + "@0", a + "@1", b + "@0", b + "@1", c + "@0", c + "@1",
        a + "@2", a + "@3", b + "@2", b + "@3", c + "@2", c + "@3"), first);
  }

  @Test
  void eachQueryIsAHeldOutSentenceWithItsContextAndItsNextSentenceInTheBank() {
    CpcBenchmark.Data d = CpcBenchmark.prepare(novels(10), TOKENIZER, 4, 3, 2, 100, 3, 1L);
    assertEquals(7, d.queries().size(), "t = 2..8: R - 1 = 2 sentences before, one after");
    for (int q = 0; q < d.queries().size(); q++) {
      int t = Integer.parseInt(d.queries().get(q).replace("novel5 sentence", ""));
      assertEquals("novel5 sentence" + (t + 1), d.nexts().get(q));
      assertEquals(3, d.contexts().get(q).size());
    }
  }
}
