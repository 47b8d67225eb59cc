package dev.contraflow.cli;

import dev.contraflow.job.ContraflowJob;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.config.JobConfigOptions;
import dev.contraflow.job.RetainedCheckpoints;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
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
        "Settings come from default-job.yaml (--print-defaults), then --config, then --set."})
final class LearnCommand implements Callable<Integer> {

  @Mixin JobConfigOptions options;

  @Spec CommandSpec spec;

  @Option(names = "--print-defaults", description = "Print every setting with its default.")
  boolean printDefaults;

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
    JobConfig job = options.load(List.of());
    System.err.println("contraflow learn: " + job.kafka() + ", topics " + job.topics()
        + ", model " + job.model() + ", parallelism " + job.job().parallelism());
    ContraflowJob.requireInputTopics(job);
    ContraflowJob.requireDeadLetterTopicAccepts(job);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
        flinkConfiguration(job));
    if (!(env instanceof LocalStreamEnvironment)) {
      ContraflowJob.requireDurableCheckpointDir(job); // under `flink run`: a cluster's job
    }
    ContraflowJob.build(env, job);
    env.execute(job.job().name());
    return 0;
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
