package dev.contraflow.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A second sentence task for {@code bench text}, on Jane Austen's six novels ({@link
 * AustenNovels}), scored by the same harness ({@link TextQualityBenchmark}) as WordNet:
 *
 * <ul>
 *   <li>classification: which of the six novels a sentence comes from (kNN and linear probe;
 *       training sentences as bank and probe data, held-out sentences as queries). Names,
 *       places and each novel's vocabulary decide it, as topic words decide WordNet's
 *       lexicographer files;
 *   <li>retrieval: a held-out sentence as query, the sentence that follows it in the novel as
 *       target among all held-out targets (recall@1 and @10): what a sentence says about its
 *       neighbour, a discourse task no bag of words is built for;
 *   <li>alignment (sentence vs next sentence) and uniformity (held-out sentences).
 * </ul>
 *
 * <p>The split is by passage, not by sentence: each novel is cut into runs of {@link #BLOCK}
 * consecutive sentences and a fixed tenth of the runs is held out, so that a held-out sentence's
 * neighbours (which share its names and topic) are not in the training stream. The encoder
 * streams the training sentences shuffled, as WordNet's are; {@code --supervised} trains on
 * (sentence, next sentence) pairs of the training passages.
 */
public final class NovelAttribution {

  /** Consecutive sentences held out or kept together: about a page. */
  public static final int BLOCK = 20;

  private NovelAttribution() {}

  /** Whether the {@code block}-th run of {@link #BLOCK} sentences of a novel is held out. */
  public static boolean heldOut(String title, int block) {
    return Math.floorMod((title.hashCode() * 31 + block) * 0x9E3779B1, 10) == 0;
  }

  /**
   * Splits the novels (a fixed tenth of each novel's passages held out) and draws bank, queries
   * and pairs with {@code seed}.
   */
  public static TextQualityBenchmark.Data prepare(List<AustenNovels.Novel> novels, int bankSize,
      int querySize, long seed) {
    if (novels.isEmpty()) {
      throw new IllegalArgumentException("no novel to split");
    }
    Random random = new Random(seed);
    List<Labelled> train = new ArrayList<>();
    List<Labelled> test = new ArrayList<>();
    List<List<String>> trainingPairs = new ArrayList<>();
    List<List<String>> testPairs = new ArrayList<>();
    for (int label = 0; label < novels.size(); label++) {
      AustenNovels.Novel novel = novels.get(label);
      List<String> s = novel.sentences();
      for (int start = 0; start < s.size(); start += BLOCK) {
        boolean held = heldOut(novel.title(), start / BLOCK);
        int end = Math.min(s.size(), start + BLOCK);
        for (int i = start; i < end; i++) {
          (held ? test : train).add(new Labelled(s.get(i), label));
          if (i + 1 < end) { // a pair never crosses into the other side of the split
            (held ? testPairs : trainingPairs).add(List.of(s.get(i), s.get(i + 1)));
          }
        }
      }
    }
    List<String> training = new ArrayList<>(train.stream().map(Labelled::text).toList());
    Collections.shuffle(training, random); // a stream that mixes the novels
    Collections.shuffle(train, random);
    Collections.shuffle(test, random);
    Collections.shuffle(testPairs, random);
    Collections.shuffle(trainingPairs, new Random(seed + 1));
    List<Labelled> bank = train.subList(0, Math.min(bankSize, train.size()));
    List<Labelled> queries = test.subList(0, Math.min(querySize, test.size()));
    List<List<String>> pairs = testPairs.subList(0, Math.min(querySize, testPairs.size()));
    return new TextQualityBenchmark.Data(training, texts(bank), labels(bank), texts(queries),
        labels(queries), pairs.stream().map(p -> p.get(0)).toList(),
        pairs.stream().map(p -> p.get(1)).toList(), trainingPairs);
  }

  private record Labelled(String text, int label) {}

  private static List<String> texts(List<Labelled> l) {
    return l.stream().map(Labelled::text).toList();
  }

  private static int[] labels(List<Labelled> l) {
    return l.stream().mapToInt(Labelled::label).toArray();
  }
}
