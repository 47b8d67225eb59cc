package dev.contraflow.job.learner;

import dev.contraflow.learn.ModelFile;
import java.io.IOException;
import java.io.InputStream;
import org.apache.flink.core.fs.Path;

/** Reads model files from wherever the job published them: any Flink file system URI. */
public final class ModelStore {

  private ModelStore() {}

  /** The model at {@code uri} (file://, s3://, hdfs://, or a plain local path). */
  public static ModelFile.Model read(String uri) throws IOException {
    return ModelFile.fromBytes(readBytes(uri));
  }

  /** The model file's bytes (its SHA-256 is the checkpoint id embeddings carry). */
  public static byte[] readBytes(String uri) throws IOException {
    Path path = new Path(uri);
    if (!path.getFileSystem().exists(path)) {
      throw new IOException("model file " + uri + " does not exist");
    }
    try (InputStream in = path.getFileSystem().open(path)) {
      return in.readAllBytes();
    }
  }
}
