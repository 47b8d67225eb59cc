package dev.contraflow.io.record;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.avro.PairRecord;
import dev.contraflow.avro.SentenceRecord;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Any bytes through both wire formats (docs/fuzzing.md): a record, or
 * {@link UndecodableRecordException} - never another exception, and no allocation a length
 * prefix merely claims. The seed corpus (RecordCodecFuzzTestInputs) runs in every build.
 */
class RecordCodecFuzzTest {

  private static final List<Class<? extends SpecificRecord>> TYPES = List.of(ImageRecord.class,
      SentenceRecord.class, PairRecord.class, DeadLetterRecord.class);
  private static final InMemorySchemaRegistry REGISTRY = registry();

  private static InMemorySchemaRegistry registry() {
    InMemorySchemaRegistry r = new InMemorySchemaRegistry();
    r.register("images-value", ImageRecord.getClassSchema()); // id 1: a record of the topic
    return r;
  }

  @FuzzTest(maxDuration = "5m")
  void singleObjectBytesDecodeOrAreUndecodable(byte[] bytes) {
    for (Class<? extends SpecificRecord> type : TYPES) {
      decode(RecordCodec.singleObject(type), bytes);
    }
  }

  @FuzzTest(maxDuration = "5m")
  void confluentBytesDecodeOrAreUndecodable(byte[] bytes) {
    decode(RecordCodec.confluent(ImageRecord.class, REGISTRY, "images-value"), bytes);
  }

  private static void decode(RecordCodec<?> codec, byte[] bytes) {
    try {
      codec.decode(bytes);
    } catch (UndecodableRecordException refused) {
      // the one way to refuse
    }
  }
}
