package dev.contraflow.cli;

import dev.contraflow.job.ContraflowJob;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.config.JobConfigOptions;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the streaming job against any Kafka: in-process Flink, or the cluster of `flink run`. */
@Command(name = "learn", mixinStandardHelpOptions = true,
    description = {"Runs the streaming job: images, sentences and image-caption pairs from Kafka"
        + " -> learners -> embeddings, checkpoint records and dead letters to Kafka, exactly once.",
        "Settings come from default-job.yaml (--print-defaults), then --config, then --set."})
final class LearnCommand implements Callable<Integer> {

  @Mixin JobConfigOptions options;

  @Option(names = "--print-defaults", description = "Print every setting with its default.")
  boolean printDefaults;

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
        ContraflowJob.flinkConfiguration(job));
    ContraflowJob.build(env, job);
    env.execute(job.job().name());
    return 0;
  }
}
