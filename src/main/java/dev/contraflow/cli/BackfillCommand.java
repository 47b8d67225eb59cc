package dev.contraflow.cli;

import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.kafka.Backfill;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigOptions;
import dev.contraflow.job.learner.ModelStore;
import dev.contraflow.learn.ModelFile;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Re-embeds a range of the images topic with one checkpoint, e.g. after a model upgrade. */
@Command(name = "backfill", mixinStandardHelpOptions = true,
    description = {"Re-embeds the images topic (or a time range of it) with one checkpoint and "
        + "publishes the embeddings with that checkpoint's version and id; bad records go to "
        + "the dead-letter topic. Topics and Kafka settings come from the job configuration."})
final class BackfillCommand implements Callable<Integer> {

  @Option(names = "--checkpoint", required = true,
      description = "Model file or URI (a CheckpointRecord's uri).")
  String checkpoint;

  @Option(names = "--model-id",
      description = "Model id on the embeddings (default: the one recorded in the model file).")
  String modelId;

  @Mixin TimeRangeOptions range;

  @Mixin JobConfigOptions jobOptions;

  @Override
  public Integer call() throws Exception {
    byte[] bytes = ModelStore.readBytes(checkpoint);
    ModelFile.Model model = ModelFile.fromBytes(bytes);
    EncoderConfig e = model.config().encoder();
    JobConfig job = jobOptions.load(List.of("learner.encoder.channels=" + e.channels(),
        "learner.encoder.height=" + e.height(), "learner.encoder.width=" + e.width()));
    String id = modelId != null ? modelId
        : model.provenance().getOrDefault("modelId", job.model().defaultId());
    System.err.printf("backfill: model %s version %d from %s onto %s%n", id, model.state().step(),
        checkpoint, job.topics().embeddings());
    Backfill.Result r = new Backfill(job, System.err).run(bytes, id, range.range());
    System.out.printf("backfill: %d records read, %d embedded (model %s version %d), "
        + "%d dead letters%n", r.read(), r.embedded(), id, model.state().step(), r.deadLetters());
    return 0;
  }
}
