package dev.contraflow.cli;

import dev.contraflow.job.config.JobConfigOptions;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.ImageSource;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/**
 * The whole product on one machine: a real Kafka broker in this process, the streaming job on a
 * Flink MiniCluster, images (and optionally sentences) streamed in, and a summary of what
 * subscribers received. This class reads the options and the inputs; {@link DemoRun} runs it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Starts a Kafka broker (KRaft, loopback) and a Flink MiniCluster in this "
        + "process, streams images (and, with --sentences, the lines of a text file) into Kafka,"
        + " runs the learning job, and summarises what came out: embeddings, dead letters,"
        + " checkpoints, and kNN accuracy of the published image embeddings against raw pixels.",
        "With --serve the broker stays up after the summary and the embeddings are served over"
            + " HTTP (contraflow serve's API) until Ctrl-C."})
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--images", defaultValue = "data/fashion-mnist",
      description = "IDX file, Fashion-MNIST folder or folder of PNG/JPEG (default ${DEFAULT-VALUE}).")
  Path images;

  @Option(names = "--limit", defaultValue = "10000",
      description = "Stream the first N images (default ${DEFAULT-VALUE}; 0 = all).")
  int limit;

  @Option(names = "--sentences",
      description = "Also stream this UTF-8 text file, one sentence a line, to the sentences "
          + "topic (ids line-<n>); every line is sent as it is, so blank or over-long lines "
          + "become dead letters.")
  Path sentences;

  @Mixin JobConfigOptions jobOptions;

  @Mixin EncoderInputOptions encoderInput;
  @Mixin WebUiOption webUi;

  @Spec CommandSpec spec;

  @Option(names = "--work-dir", defaultValue = "target/demo",
      description = "Broker logs, Flink checkpoints and model files (default ${DEFAULT-VALUE}).")
  Path workDir;

  @Option(names = "--timeout", defaultValue = "PT30M",
      description = "Give up if the outputs have not all arrived by then (default 30 min).")
  Duration timeout;

  @Option(names = "--serve", description = "After the summary, keep the broker up and serve the"
      + " embeddings over HTTP (contraflow serve's API), printing a curl that searches them;"
      + " Ctrl-C stops the server and the broker.")
  boolean serve;

  @Option(names = "--serve-port", defaultValue = "8080",
      description = "HTTP port of --serve (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int servePort;

  @Override
  public Integer call() throws Exception {
    if (limit < 0) {
      throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
    }
    // The listing now, so a wrong path fails before Kafka starts; the job's settings decode.
    ImageSource source = ImageSource.open(images, limit,
        new ImageDecoder(encoderInput.toInput()));
    Optional<int[]> labels = ImageSource.labelsFor(images);
    List<String> lines = sentences == null ? List.of() : readLines(sentences);
    Files.createDirectories(workDir);
    Path work = workDir.toAbsolutePath();
    System.err.printf("demo: %d images from %s%s; starting Kafka and Flink in this process%n",
        source.size(), images, sentences == null ? ""
            : ", " + lines.size() + " lines from " + sentences);

    new DemoRun(source, labels, lines, sentences != null, encoderInput.asJobSettings(),
        jobOptions, work, timeout, webUi.port,
        serve ? new DemoServe(servePort, StopSignals::install, Duration.ofMinutes(2)) : null)
        .run(spec.commandLine().getOut());
    return 0;
  }

  private static List<String> readLines(Path file) throws IOException {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new IOException("sentence file " + file + " is not UTF-8 text", e);
    }
  }
}
