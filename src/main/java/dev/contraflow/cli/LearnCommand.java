package dev.contraflow.cli;

import dev.contraflow.job.ContraflowJob;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.config.JobConfigOptions;
import dev.contraflow.job.RetainedCheckpoints;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Runs the streaming job against any Kafka: in-process Flink, or the cluster of `flink run`. */
@Command(name = "learn", mixinStandardHelpOptions = true,
    description = {"Runs the streaming job: images, sentences and image-caption pairs from Kafka"
        + " -> learners -> embeddings, checkpoint records and dead letters to Kafka, exactly once.",
        "Settings come from default-job.yaml (--print-defaults), then --config, then --set.",
        "Prints a status line every few seconds, read from the job's Flink metrics and the output"
            + " topics; SIGTERM or Ctrl-C stops the job and prints a summary (exit code 0 when"
            + " the stop succeeded, 1 when the job failed).",
        "With --until the job is a bounded replay: it stops by itself at that point and the"
            + " command exits 0 with the summary."})
final class LearnCommand implements Callable<Integer> {

  @Mixin JobConfigOptions options;

  @Mixin EncoderInputOptions encoderInput; // model.* and limits.* by option, under --set
  @Mixin UntilOption until;
  @Spec CommandSpec spec;

  @Option(names = "--print-defaults", description = "Print every setting with its default.")
  boolean printDefaults;

  @Option(names = "--quiet", description = "No status lines; only the first line and the summary.")
  boolean quiet;

  @Option(names = "--status-format", paramLabel = "text|json", defaultValue = "TEXT",
      description = "Status lines for people (text) or one JSON object a line for scripts (json)."
          + " Default: ${DEFAULT-VALUE}.")
  StatusFormat statusFormat;

  @Option(names = "--status-every", paramLabel = "SECONDS", defaultValue = "5",
      description = "Seconds between status lines. Default: ${DEFAULT-VALUE}.")
  int statusSeconds;

  @Option(names = "--savepoint-on-stop", paramLabel = "DIR",
      description = "On SIGTERM or Ctrl-C, stop the job with a savepoint in DIR (a later run"
          + " resumes from it) instead of cancelling it.")
  Path savepointOnStop;

  @Mixin WebUiOption webUi;

  @Option(names = "--restore", paramLabel = "PATH|latest", description = {
      "Resume from a savepoint or a retained checkpoint (its directory or _metadata file), or "
          + "'latest': the newest checkpoint retained under job.checkpointDir."})
  String restore;

  @Override
  public Integer call() throws Exception {
    if (printDefaults) {
      System.out.print(JobConfigLoader.defaultsText());
      return 0;
    }
    if (statusSeconds < 1) {
      throw new IllegalArgumentException("--status-every = " + statusSeconds
          + " is invalid: give a whole number of seconds >= 1");
    }
    List<String> settings = new ArrayList<>(encoderInput.asJobSettings());
    settings.addAll(until.asJobSettings());
    JobConfig job = options.load(settings);
    System.err.println("contraflow learn: " + (ConsoleLog.file() == null ? ""
        : "full log in " + ConsoleLog.file() + "; ") + job.kafka() + ", topics " + job.topics()
        + ", model " + job.model() + ", parallelism " + job.job().parallelism());
    ContraflowJob.requireInputTopics(job);
    ContraflowJob.requireDeadLetterTopicAccepts(job);
    Duration every = Duration.ofSeconds(statusSeconds);
    LocalRest rest = LocalRest.of(webUi.port, every);
    Configuration flink = flinkConfiguration(job);
    rest.applyTo(flink);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    if (!(env instanceof LocalStreamEnvironment)) {
      ContraflowJob.requireDurableCheckpointDir(job); // under `flink run`: a cluster's job
    }
    ContraflowJob.build(env, job);
    CompletableFuture<String> stop = StopSignals.install();
    try (CommittedOutputs outputs = new CommittedOutputs(job)) {
      JobClient client = env.executeAsync(job.job().name());
      if (webUi.enabled()) {
        System.err.println("contraflow learn: Flink web UI at " + rest.uri());
      }
      return new JobMonitor(client, new FlinkJobMetrics(rest.uri(), client.getJobID()), outputs,
          statusFormat, quiet, every, System.out).watch(stop, savepointOnStop);
    }
  }

  /** The job's Flink settings, with the state to resume from when --restore names one. */
  Configuration flinkConfiguration(JobConfig job) throws IOException {
    Configuration flink = ContraflowJob.flinkConfiguration(job);
    if (restore != null) {
      flink.set(StateRecoveryOptions.SAVEPOINT_PATH, restorePath(job));
    }
    return flink;
  }

  private String restorePath(JobConfig job) throws IOException {
    if (!restore.equals("latest")) {
      return restore;
    }
    URI latest = RetainedCheckpoints.latest(job.job().checkpointDir()).orElseThrow(() ->
        new ParameterException(spec.commandLine(), "--restore latest: no complete checkpoint "
            + "under job.checkpointDir = " + job.job().checkpointDir() + "; give the path of "
            + "a savepoint, or start without --restore"));
    System.err.println("contraflow learn: resuming from " + latest);
    return latest.toString();
  }
}
