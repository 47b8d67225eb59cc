package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class EmbeddingLinesTest {

  @Test
  void eachEmbeddingIsOneLineWithTheDocumentedSpacing() throws Exception {
    StringWriter out = new StringWriter();
    try (EmbeddingLines lines = EmbeddingLines.to(out)) {
      lines.write(0, new float[] {0.25f, -1f});
      lines.write(7, new float[] {1e-8f, 3.4028235e38f, 0.1f});
    }
    assertEquals("{\"id\": 0, \"vector\": [0.25, -1.0]}\n"
        + "{\"id\": 7, \"vector\": [1.0E-8, 3.4028235E38, 0.1]}\n", out.toString());
  }

  @Test
  void floatsRoundTripExactly() throws Exception {
    float[] vector = {0.1f, (float) Math.PI, -Float.MIN_VALUE, 123456.79f};
    StringWriter out = new StringWriter();
    try (EmbeddingLines lines = EmbeddingLines.to(out)) {
      lines.write(3, vector);
    }
    JsonNode line = new ObjectMapper().readTree(out.toString());
    for (int j = 0; j < vector.length; j++) {
      assertEquals(vector[j], line.get("vector").get(j).floatValue(), "element " + j);
    }
  }

  @Test
  void nothingEmbeddedIsAnEmptyFile() throws Exception {
    StringWriter out = new StringWriter();
    EmbeddingLines.to(out).close();
    assertEquals("", out.toString());
  }
}
