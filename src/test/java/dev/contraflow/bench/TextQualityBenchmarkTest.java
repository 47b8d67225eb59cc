package dev.contraflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TextQualityBenchmarkTest {

  /** 200 synsets in 4 classes; every third has two usage examples. */
  private static List<WordNetGlosses.Synset> synsets() {
    List<WordNetGlosses.Synset> out = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      List<String> examples = i % 3 == 0
          ? List.of("example a of " + i, "example b of " + i) : List.of();
      out.add(new WordNetGlosses.Synset("noun:" + i, i % 4, "definition of " + i, examples));
    }
    return out;
  }

  @Test
  void supervisedPairsComeOnlyFromTrainingSynsetsAndPairEachExampleWithItsDefinition() {
    List<WordNetGlosses.Synset> synsets = synsets();
    TextQualityBenchmark.Data data = TextQualityBenchmark.prepare(synsets, 50, 20, 7L);
    Set<String> heldOutDefinitions = new HashSet<>();
    for (WordNetGlosses.Synset s : synsets) {
      if (WordNetGlosses.heldOut(s)) {
        heldOutDefinitions.add(s.definition());
      }
    }
    long trainingExamples = synsets.stream().filter(s -> !WordNetGlosses.heldOut(s))
        .mapToLong(s -> s.examples().size()).sum();
    assertEquals(trainingExamples, data.trainingPairs().size(), "one pair per training example");
    for (List<String> pair : data.trainingPairs()) {
      String n = pair.get(0).substring("definition of ".length());
      assertTrue(pair.get(1).endsWith(" of " + n), pair + " pairs an example with its definition");
      assertTrue(!heldOutDefinitions.contains(pair.get(0)), pair + " is from a held-out synset");
    }
    assertTrue(!data.pairDefinitions().isEmpty(), "some synsets with examples are held out");
    for (String q : data.pairDefinitions()) {
      assertTrue(heldOutDefinitions.contains(q), "retrieval pairs are held out: " + q);
    }
  }

  @Test
  void aShorterStreamIsAPrefixOfTheTrainingSentencesWithTheSameEvaluation() {
    TextQualityBenchmark.Data data = TextQualityBenchmark.prepare(synsets(), 50, 20, 7L);
    TextQualityBenchmark.Data stream = data.streamOf(30);
    assertEquals(data.training().subList(0, 30), stream.training());
    assertEquals(data.trainingPairs().subList(0, 30), stream.trainingPairs());
    assertEquals(data.bank(), stream.bank());
    assertEquals(data.queries(), stream.queries());
    assertEquals(data.pairExamples(), stream.pairExamples());
    assertEquals(data.training(), data.streamOf(0).training(), "0 streams every sentence");
    assertEquals(data.training(), data.streamOf(1_000_000).training());
  }
}
