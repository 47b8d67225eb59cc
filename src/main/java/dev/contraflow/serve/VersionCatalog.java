package dev.contraflow.serve;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.CheckpointStatus;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What serve knows of each model's versions from the job's checkpoints topic (issue 13), and the
 * two decisions made from it: which version the default search answers from ({@link #current})
 * and which versions the table no longer keeps ({@link #evictable}).
 *
 * <p>A version is <em>complete</em> when the job said so (a COMPLETE checkpoint record: "version
 * V of model M is complete: N embeddings") <em>and</em> the table holds its N refresh embeddings.
 * Only then does it become current: the switch is an alias swap, so a reader sees one version
 * entirely or the previous one, never a half-filled one. Until a model has a complete version
 * (refresh off, or the first refresh still running) the default is the newest version seen, as
 * before refreshes existed.
 *
 * <p>Memory: the table keeps, per model, the current complete version, the {@code keepVersions}
 * complete versions before it (so that a reader that chose the previous version an instant before
 * the swap still finds it whole), every newer version being filled by a refresh or published
 * (its refresh yet to come), and the newest version seen. Everything else is evicted: older
 * complete versions, rejected versions and the one-micro-batch versions of NEW embeddings that a
 * newer one followed.
 */
final class VersionCatalog {

  /** The newest checkpoint record of a version; COMPLETE stays once seen. */
  record Status(CheckpointStatus status, Long embeddings, String reason) {
  }

  /** Why a version is the default search's. */
  enum Choice {
    /** The newest complete version: the job said COMPLETE and every embedding of it is here. */
    COMPLETE,
    /** No complete version yet: the newest version seen, whatever its state. */
    NEWEST_SEEN
  }

  /** The default search's version and why. */
  record Current(long version, Choice choice) {
  }

  private final int keepVersions;
  private final Map<String, NavigableMap<Long, Status>> models = new ConcurrentHashMap<>();
  private volatile boolean caughtUp;

  /** A catalog with nothing to wait for: statuses arrive by {@link #apply} alone. */
  VersionCatalog(int keepVersions) {
    this(keepVersions, false);
  }

  /**
   * @param keepVersions complete versions kept before the current one (at least 0)
   * @param follows whether a {@link CheckpointFollower} fills it: then it decides nothing until
   *     the follower has read the topic up to where it ended at start ({@link #caughtUp()}), so
   *     that a restarted serve neither answers from a rejected newest version nor evicts the
   *     complete ones it has not yet heard of
   */
  VersionCatalog(int keepVersions, boolean follows) {
    if (keepVersions < 0) {
      throw new IllegalArgumentException("--keep-versions = " + keepVersions
          + " is invalid: use 0 or more (1, the default, keeps the previous complete version)");
    }
    this.keepVersions = keepVersions;
    this.caughtUp = !follows;
  }

  /** The checkpoints topic has been read up to its end at start. */
  void caughtUp() {
    caughtUp = true;
  }

  int keepVersions() {
    return keepVersions;
  }

  /** Takes in one record of the checkpoints topic. */
  void apply(CheckpointRecord r) {
    Status next = new Status(r.getStatus(), r.getEmbeddings(),
        r.getReason() == null ? null : r.getReason().toString());
    models.computeIfAbsent(r.getModelId().toString(), m -> new ConcurrentSkipListMap<>())
        .merge(r.getModelVersion(), next,
            (before, now) -> before.status() == CheckpointStatus.COMPLETE ? before : now);
  }

  /** The statuses the checkpoints topic gave the model's versions, oldest first. */
  NavigableMap<Long, Status> statuses(String modelId) {
    NavigableMap<Long, Status> statuses = models.get(modelId);
    return statuses == null ? new TreeMap<>() : new TreeMap<>(statuses);
  }

  /**
   * The version the default search ranks, or null when nothing of the model is held.
   *
   * @param held the rows held of each version, summed over the partitions that answered
   * @param whole whether every partition answered: only then can a count prove a version complete;
   *     otherwise the newest version the job called complete is taken (the answer is partial)
   */
  Current current(String modelId, NavigableMap<Long, VersionCount> held, boolean whole) {
    if (!caughtUp) {
      throw HttpProblem.unavailable("reading the checkpoints topic to learn which versions are "
          + "complete; ask again in a moment, or name a \"version\"");
    }
    for (Map.Entry<Long, Status> s : statuses(modelId).descendingMap().entrySet()) {
      VersionCount count = held.get(s.getKey());
      if (isComplete(s.getValue(), count, whole)) {
        return new Current(s.getKey(), Choice.COMPLETE);
      }
    }
    return held.isEmpty() ? null : new Current(held.lastKey(), Choice.NEWEST_SEEN);
  }

  /** Whether the job called the version COMPLETE and its {@code N} refresh embeddings are here. */
  static boolean isComplete(Status status, VersionCount count, boolean whole) {
    if (status == null || status.status() != CheckpointStatus.COMPLETE || count == null) {
      return false;
    }
    return !whole || status.embeddings() == null || count.refreshed() >= status.embeddings();
  }

  /**
   * The versions of {@code held} (one partition's) that the table no longer keeps: see the class
   * comment. Decided from the job's records alone, not from counts, so that every partition
   * keeps the same versions.
   */
  Set<Long> evictable(String modelId, NavigableMap<Long, VersionCount> held) {
    Set<Long> evict = new TreeSet<>();
    if (held.isEmpty() || !caughtUp) {
      return evict;
    }
    NavigableMap<Long, Status> statuses = statuses(modelId);
    Long current = null;
    int completeKept = 0;
    for (long v : held.descendingKeySet()) {
      Status s = statuses.get(v);
      boolean complete = s != null && s.status() == CheckpointStatus.COMPLETE;
      if (v == held.lastKey()) {
        current = complete ? Long.valueOf(v) : current;
        continue; // the newest version seen
      }
      if (current == null) {
        if (complete) {
          current = v;
        } else if (!beingFilled(s, held.get(v))) {
          evict.add(v);
        }
      } else if (complete && completeKept < keepVersions) {
        completeKept++;
      } else {
        evict.add(v);
      }
    }
    return evict;
  }

  /** Published and not yet complete: its refresh is on its way, or has begun. */
  private static boolean beingFilled(Status status, VersionCount count) {
    return (status != null && status.status() == CheckpointStatus.PUBLISHED)
        || count.refreshed() > 0;
  }
}
