package dev.contraflow.job.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decoder refuses ids that are not safe names, but a key can still reach the publisher with
 * one (a savepoint of a job from before that check): its files stay inside its own folder of the
 * store whatever the id is.
 */
class ModelPublisherPathsTest {

  private static final RecordCodec<CheckpointRecord> CHECKPOINTS =
      RecordCodec.singleObject(CheckpointRecord.class);
  private static JobConfig config;
  private static LearnerState state;

  @TempDir
  Path root;

  @BeforeAll
  static void smallModel() {
    config = JobConfigLoader.defaults(List.of("learner.encoder.baseWidth=4", "learner.encoder.projectionHidden=0",
        "learner.encoder.projectionDim=8", "learner.queueSize=16", "learner.replay.capacity=0",
        "learner.replay.updatesPerBatch=1"));
    state = Learner.images(config.learner()).initialState();
  }

  @Test
  void noModelIdLeavesItsFolderOfTheStore() throws Exception {
    Path store = root.resolve("store");
    Files.createDirectories(store);
    Files.writeString(root.resolve("outside.txt"), "untouched");
    ModelPublisher publisher = new ModelPublisher(store.toUri(), "checkpoints", CHECKPOINTS,
        new ImageModelSpec(config.learner()));
    List<String> ids = List.of("../escape", "../../etc", "a/b", "/abs", "c:d", "s3://b/k",
        "x".repeat(300), "default", "..", ".");
    Set<Path> folders = new HashSet<>();
    for (String id : ids) {
      var published = publisher.publish(id, state, 1, null, 0);
      CheckpointRecord announced = CHECKPOINTS.decode(published.announcement().value);
      Path file = Path.of(URI.create(announced.getUri())).normalize();
      assertTrue(Files.isRegularFile(file), id + ": " + file);
      assertEquals(store, file.getParent().getParent(), id + " left its folder: " + file);
      assertTrue(file.getFileName().toString().length() <= 255, "file name too long: " + file);
      assertEquals(id, announced.getModelId(), "the record still names the model as sent");
      folders.add(file.getParent());
    }
    assertEquals(ids.size(), folders.size(), "every id has a folder of its own");
    try (Stream<Path> all = Files.walk(root)) {
      assertTrue(all.filter(Files::isRegularFile).allMatch(p -> p.startsWith(store)
          || p.equals(root.resolve("outside.txt"))), "nothing written outside the store");
    }
    assertEquals("default", ModelPublisher.folderName("default"), "safe ids keep their name");
  }
}
