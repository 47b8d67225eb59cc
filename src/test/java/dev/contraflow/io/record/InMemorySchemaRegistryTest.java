package dev.contraflow.io.record;

import static dev.contraflow.io.record.JavaSerialization.serializedAndBack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.contraflow.avro.ImageRecord;
import dev.contraflow.avro.SentenceRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryTest {

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

  @Test
  void idsStartAtOneAndASchemaKeepsItsIdAcrossSubjects() throws Exception {
    int image = registry.register("images-value", ImageRecord.getClassSchema());
    int sentence = registry.register("sentences-value", SentenceRecord.getClassSchema());
    int imageAgain = registry.register("more-images-value", ImageRecord.getClassSchema());

    assertEquals(1, image);
    assertEquals(2, sentence);
    assertEquals(image, imageAgain);
    assertEquals(ImageRecord.getClassSchema(), registry.schemaById(image));
  }

  @Test
  void aSubjectListsTheIdsRegisteredUnderItOldestFirst() {
    registry.register("pairs-value", SentenceRecord.getClassSchema());
    registry.register("pairs-value", ImageRecord.getClassSchema());
    registry.register("pairs-value", SentenceRecord.getClassSchema());

    assertEquals(List.of(1, 2), registry.ids("pairs-value"));
    assertEquals(List.of(), registry.ids("nobody-value"));
  }

  @Test
  void anUnknownIdNamesTheIdAndTheRegistry() {
    UnknownSchemaIdException e = assertThrows(UnknownSchemaIdException.class,
        () -> registry.schemaById(17));

    assertEquals(17, e.id());
    assertEquals("unknown schema id 17 in registry " + registry.location()
        + " (it holds 0 schema(s))", e.getMessage());
  }

  @Test
  void deserializedInTheSameJvmItIsTheSameRegistrySoOperatorsAgreeOnIds() throws Exception {
    registry.register("images-value", ImageRecord.getClassSchema());

    InMemorySchemaRegistry shipped = serializedAndBack(registry);
    int sentence = shipped.register("sentences-value", SentenceRecord.getClassSchema());

    assertSame(registry, shipped);
    assertEquals(SentenceRecord.getClassSchema(), registry.schemaById(sentence));
  }
}
