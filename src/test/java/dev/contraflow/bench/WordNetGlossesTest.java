package dev.contraflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class WordNetGlossesTest {

  @Test
  void aDataLineGivesItsLexicographerFileDefinitionAndExamples() {
    WordNetGlosses.Synset s = WordNetGlosses.parse("noun", "03643491 06 n 02 laser-guided_bomb 0"
        + " LGB 0 002 @ 04245847 n 0000 ~i 02920785 n 0000 | a smart bomb that seeks the laser"
        + " light; \"laser-guided bombs cannot be used in cloudy weather\"; \"a second one\"  ");
    assertEquals("noun:03643491", s.key());
    assertEquals(6, s.lexFile()); // noun.artifact
    assertEquals("a smart bomb that seeks the laser light", s.definition());
    assertEquals(List.of("laser-guided bombs cannot be used in cloudy weather", "a second one"),
        s.examples());
  }

  @Test
  void theLicenceHeaderIsSkipped() {
    assertNull(WordNetGlosses.parse("noun", "  1 This software and database is being provided"));
  }
}
