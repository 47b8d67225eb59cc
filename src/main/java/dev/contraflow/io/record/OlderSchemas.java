package dev.contraflow.io.record;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The earlier versions of a record's schema that this build still reads, bundled as
 * {@code dev/contraflow/avro/older/<Name>-<n>.avsc} (n = 1, 2, ...): what a single-object reader
 * needs to read records written before a field was added (issue 13 added fields to
 * EmbeddingRecord and CheckpointRecord; schema evolution rules say old records stay readable).
 */
final class OlderSchemas {

  private static final String FOLDER = "/dev/contraflow/avro/older/";

  static List<Schema> of(Class<? extends SpecificRecord> type) {
    List<Schema> older = new ArrayList<>();
    for (int n = 1; ; n++) {
      String name = FOLDER + type.getSimpleName() + "-" + n + ".avsc";
      try (InputStream in = OlderSchemas.class.getResourceAsStream(name)) {
        if (in == null) {
          return older;
        }
        older.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("the bundled schema " + name + " is unreadable", e);
      }
    }
  }

  private OlderSchemas() {}
}
