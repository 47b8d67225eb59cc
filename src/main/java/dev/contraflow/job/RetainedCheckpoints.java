package dev.contraflow.job;

import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The checkpoints a job left in {@code job.checkpointDir}: Flink writes each as
 * {@code <dir>/<job id>/chk-<n>/_metadata}, and retains them when the job is cancelled or fails
 * ({@link ContraflowJob#flinkConfiguration}). The newest complete one is where a job resumes.
 * Read through Flink's FileSystem, so file://, s3:// and hdfs:// directories all work.
 */
public final class RetainedCheckpoints {

  private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");
  private static final String METADATA = "_metadata";

  private RetainedCheckpoints() {}

  /**
   * The newest complete checkpoint (one with its {@code _metadata}) of any job under
   * {@code dir}: the last written, and of one job's, the highest-numbered.
   */
  public static Optional<URI> latest(URI dir) throws IOException {
    Path root = new Path(dir);
    FileSystem fs = root.getFileSystem();
    if (!fs.exists(root)) {
      return Optional.empty();
    }
    Candidate best = null;
    for (FileStatus job : list(fs, root)) {
      if (!job.isDir()) {
        continue;
      }
      for (FileStatus chk : list(fs, job.getPath())) {
        Matcher m = CHECKPOINT.matcher(chk.getPath().getName());
        Path metadata = new Path(chk.getPath(), METADATA);
        if (!chk.isDir() || !m.matches() || !fs.exists(metadata)) {
          continue; // shared/, taskowned/, or a checkpoint still being written
        }
        Candidate c = new Candidate(chk.getPath(), fs.getFileStatus(metadata)
            .getModificationTime(), Long.parseLong(m.group(1)));
        if (best == null || c.isNewerThan(best)) {
          best = c;
        }
      }
    }
    return best == null ? Optional.empty() : Optional.of(best.path().toUri());
  }

  private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
    FileStatus[] entries = fs.listStatus(dir);
    return entries == null ? new FileStatus[0] : entries;
  }

  private record Candidate(Path path, long writtenAt, long number) {
    boolean isNewerThan(Candidate other) {
      return writtenAt != other.writtenAt ? writtenAt > other.writtenAt : number > other.number;
    }
  }
}
