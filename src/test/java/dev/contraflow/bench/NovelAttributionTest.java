package dev.contraflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NovelAttributionTest {

  /** Three novels of 400 sentences each; a sentence names its novel and its position. */
  private static List<AustenNovels.Novel> novels() {
    List<AustenNovels.Novel> out = new ArrayList<>();
    for (String title : List.of("emma", "persuasion", "mansfield-park")) {
      List<String> s = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        s.add(title + " " + i);
      }
      out.add(new AustenNovels.Novel(title, s));
    }
    return out;
  }

  private static int position(String sentence) {
    return Integer.parseInt(sentence.substring(sentence.indexOf(' ') + 1));
  }

  private static boolean heldOut(String sentence) {
    return NovelAttribution.heldOut(sentence.substring(0, sentence.indexOf(' ')),
        position(sentence) / NovelAttribution.BLOCK);
  }

  @Test
  void heldOutPassagesNeverReachTheTrainingStreamAndQueriesAreLabelledWithTheirNovel() {
    List<AustenNovels.Novel> novels = novels();
    TextQualityBenchmark.Data data = NovelAttribution.prepare(novels, 300, 50, 7L);
    assertFalse(data.queries().isEmpty(), "some passages are held out");
    for (String s : data.training()) {
      assertFalse(heldOut(s), s + " is from a held-out passage");
    }
    for (String s : data.bank()) {
      assertFalse(heldOut(s), s + " in the bank is from a held-out passage");
    }
    Map<String, Integer> label = new HashMap<>();
    for (int i = 0; i < novels.size(); i++) {
      label.put(novels.get(i).title(), i);
    }
    for (int i = 0; i < data.queries().size(); i++) {
      String q = data.queries().get(i);
      assertTrue(heldOut(q), q + " is a query but not held out");
      assertEquals(label.get(q.substring(0, q.indexOf(' '))), data.queryLabels()[i]);
    }
    Set<Integer> bankLabels = new HashSet<>();
    for (int l : data.bankLabels()) {
      bankLabels.add(l);
    }
    assertEquals(3, bankLabels.size(), "the bank holds every novel");
  }

  @Test
  void retrievalPairsASentenceWithTheNextOneWithinAHeldOutPassage() {
    TextQualityBenchmark.Data data = NovelAttribution.prepare(novels(), 300, 50, 7L);
    assertFalse(data.pairExamples().isEmpty());
    for (int i = 0; i < data.pairExamples().size(); i++) {
      String q = data.pairExamples().get(i);
      String target = data.pairDefinitions().get(i);
      assertTrue(heldOut(q) && heldOut(target), q + " -> " + target + " is not held out");
      assertEquals(position(q) + 1, position(target), "the target follows its query");
      assertEquals(position(q) / NovelAttribution.BLOCK, position(target) / NovelAttribution.BLOCK,
          "a pair never crosses a passage boundary");
    }
    for (List<String> pair : data.trainingPairs()) {
      assertFalse(heldOut(pair.get(0)) || heldOut(pair.get(1)), pair + " uses a held-out line");
      assertEquals(position(pair.get(0)) + 1, position(pair.get(1)));
    }
  }
}
