package dev.contraflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AustenNovelsTest {

  @Test
  void linesBecomeSentencesInOrderWithoutTitlePageOrHeadings() {
    List<String> lines =
        List.of(
            "EMMA",
            "",
            "By Jane Austen",
            "",
            "VOLUME I",
            "",
            "CHAPTER I",
            "",
            "Emma Woodhouse, handsome, clever, and rich, with a comfortable home",
            "and happy disposition. She was the youngest!  \"Poor Miss Taylor!\" said",
            "Mr. Woodhouse. Was it Mrs. Weston?",
            "",
            "CHAPTER II",
            "",
            "Mr. Weston was a native of Highbury");
    assertEquals(
        List.of(
            "Emma Woodhouse, handsome, clever, and rich, with a comfortable home and happy"
                + " disposition.",
            "She was the youngest!",
            "\"Poor Miss Taylor!\" said Mr. Woodhouse.",
            "Was it Mrs. Weston?",
            "Mr. Weston was a native of Highbury"),
        AustenNovels.sentences(lines));
  }
}
