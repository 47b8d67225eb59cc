package dev.contraflow.cli;

import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The job configuration options: a YAML file and {@code --set} overrides. */
final class JobConfigOptions {

  @Option(names = "--config", description = "Job configuration (YAML) laid over the defaults "
      + "(contraflow learn --print-defaults lists them).")
  Path file;

  @Option(names = "--set", description = "Override a setting: --set learner.batchSize=64 "
      + "--set kafka.properties.security.protocol=SASL_SSL (repeatable).")
  List<String> overrides = new ArrayList<>();

  /** Defaults, then the command's own settings, then the file, then the user's overrides. */
  JobConfig load(List<String> commandSettings) {
    List<String> all = new ArrayList<>(commandSettings);
    all.addAll(overrides); // the user's word wins
    return JobConfigLoader.load(file, all);
  }
}
