package dev.contraflow.learn;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Any bytes as a model file, by each of its readers (docs/fuzzing.md): a model, or an
 * IOException - never another exception, and no allocation that a size in a header merely claims
 * (ModelFileLimitsTest pins that one down). The seed corpus (ModelFileFuzzTestInputs) runs in
 * every build.
 */
class ModelFileFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void anyBytesAreAModelOrAnIOException(byte[] bytes) {
    try {
      ModelFile.fromBytes(bytes);
    } catch (IOException refused) {
      // the one way to refuse
    }
    try {
      ModelFile.readSentenceModel(new ByteArrayInputStream(bytes));
    } catch (IOException refused) {
      // the one way to refuse
    }
    try {
      ModelFile.readPairModel(new ByteArrayInputStream(bytes));
    } catch (IOException refused) {
      // the one way to refuse
    }
  }
}
