package dev.contraflow.job.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The job configuration options: a YAML file and {@code --set} overrides. The command line's
 * commands mix them in, and the cluster entry point ({@code flink run}) parses its arguments with
 * them, so both take the same options.
 */
public final class JobConfigOptions {

  @Option(names = "--config", description = "Job configuration (YAML) laid over the defaults "
      + "(contraflow learn --print-defaults lists them).")
  public Path file;

  @Option(names = "--set", description = "Override a setting: --set learner.batchSize=64 "
      + "--set kafka.properties.security.protocol=SASL_SSL (repeatable).")
  public List<String> overrides = new ArrayList<>();

  /** Defaults, then the command's own settings, then the file, then the user's overrides. */
  public JobConfig load(List<String> commandSettings) {
    List<String> all = new ArrayList<>(commandSettings);
    all.addAll(overrides); // the user's word wins
    return JobConfigLoader.load(file, all);
  }
}
