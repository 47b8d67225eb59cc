package dev.contraflow.learn.method;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contraflow.io.text.TokenizedSentence;
import dev.contraflow.learn.SentenceExample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sentence {@code n} of these tests is the one-token sentence with id n. */
class SequenceWindowsTest {

  private static SequenceWindows windows(int sequences, int length) {
    return new SequenceWindows(new float[SequenceWindows.size(sequences, length, 3, 1)],
        sequences, length, 3, 1);
  }

  private static SentenceExample sentence(int n, String sequence, long position) {
    return SentenceExample.inSequence(new TokenizedSentence("s" + n, new int[][] {{n}}),
        sequence, position);
  }

  /** Each run as its sentences' numbers, the new ones after a '|'. */
  private static List<String> runs(List<SequenceWindows.Run> runs) {
    List<String> out = new ArrayList<>();
    for (SequenceWindows.Run r : runs) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < r.sentences().size(); i++) {
        b.append(i == r.firstNew() ? "|" : i > 0 ? " " : "").append(r.sentences().get(i)[0][0]);
      }
      out.add(b.toString());
    }
    return out;
  }

  @Test
  void aSequenceContinuesAcrossBatchesWithItsLastSentencesAsContext() {
    SequenceWindows w = windows(4, 2);
    assertEquals(List.of("|10 11 12", "|20"), runs(w.advance(List.of(sentence(10, "a", 0),
        sentence(20, "b", 0), sentence(11, "a", 1), sentence(12, "a", 2)))));
    assertEquals(List.of("20|21", "11 12|13"), runs(w.advance(List.of(sentence(21, "b", 1),
        sentence(13, "a", 3)))));
  }

  @Test
  void aGapOrARepeatStartsAFreshRun() {
    SequenceWindows w = windows(4, 3);
    w.advance(List.of(sentence(1, "a", 0), sentence(2, "a", 1)));
    assertEquals(List.of("|5"), runs(w.advance(List.of(sentence(5, "a", 5)))));
    assertEquals(List.of("5|6", "|7"), runs(w.advance(List.of(sentence(6, "a", 6),
        sentence(7, "a", 6)))));
  }

  @Test
  void withoutAPositionASentenceFollowsItsSequencesLast() {
    SequenceWindows w = windows(4, 3);
    w.advance(List.of(sentence(1, "a", 7)));
    assertEquals(List.of("1|2"), runs(w.advance(List.of(sentence(2, "a", -1)))));
  }

  @Test
  void theOldestSequenceGivesWayWhenEveryWindowIsTaken() {
    SequenceWindows w = windows(2, 3);
    w.advance(List.of(sentence(1, "a", 0), sentence(2, "b", 0), sentence(3, "c", 0)));
    // c took a's window: b and c continue, a starts again
    assertEquals(List.of("3|4", "2|5", "|6"), runs(w.advance(List.of(sentence(4, "c", 1),
        sentence(5, "b", 1), sentence(6, "a", 1)))));
  }

  @Test
  void sentencesWithoutASequenceAreSequencesOfTheirOwn() {
    SequenceWindows w = windows(4, 3);
    w.advance(List.of(SentenceExample.of(new TokenizedSentence("x", new int[][] {{8}}))));
    assertEquals(List.of("|9"), runs(w.advance(List.of(
        SentenceExample.of(new TokenizedSentence("y", new int[][] {{9}}))))));
  }
}
