package dev.contraflow.learn.replay;

import dev.contraflow.augment.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * The training batches of one incoming micro-batch: {@code updatesPerBatch} batches of the
 * micro-batch's size, each mixing incoming records with records replayed from the buffer (see
 * {@link ReplayConfig} for the mix). Engine- and modality-free: a learner of any record type runs
 * one gradient step per batch, embeds the incoming records once, then offers them to the buffer.
 *
 * <p>A micro-batch smaller than the learner's B (a stream slower than B records per {@code
 * job.batchTimeout}) is spent by an <em>update credit</em> ({@link #plan}): it owes {@code
 * updatesPerBatch x n / B} updates of B records (its n records, the rest replayed), the whole
 * ones are taken now and the fraction is carried to the next micro-batch. The learner then does
 * the same updates per record at any arrival rate, each on a batch of B: without the credit, a
 * micro-batch of 27 records took 8 updates of 27 records each, 4 to 6 times the compute per
 * record of a full one (the per-update costs - optimiser, momentum encoder, queue - do not shrink
 * with the batch), and a stream at half the learner's capacity could not keep up. A full
 * micro-batch owes exactly {@code updatesPerBatch} updates and changes nothing.
 */
public final class ReplaySchedule {

  private ReplaySchedule() {}

  /**
   * The updates of one micro-batch and the credit it leaves.
   *
   * @param batches one training batch per update (none when the credit is not yet a whole one)
   * @param credit the updates owed but not yet taken, in record-updates: {@code updatesPerBatch}
   *     per record, {@code B} per update; in [0, B)
   */
  public record Plan<T>(List<List<T>> batches, int credit) {}

  /**
   * The batches for the updates on {@code incoming}, drawn with {@code rng} (one split per
   * update), from the buffer as it was before these records arrived: {@code updatesPerBatch} of
   * them, each of {@code incoming.size()} records.
   */
  public static <T> List<List<T>> updates(List<T> incoming, ReplayBuffer<T> buffer,
      ReplayConfig config, Rng rng) {
    return plan(incoming, buffer, config, incoming.size(), 0, rng).batches();
  }

  /**
   * The updates of a micro-batch of {@code incoming} records for a learner of batch size {@code
   * batchSize} (B), with {@code credit} carried from the micro-batches before. A micro-batch of B
   * records or more, or one without a replayed share to fill it up ({@code replayFraction} 0),
   * takes {@code updatesPerBatch} updates of its own size, as {@link #updates} does, and leaves
   * the credit as it was. A smaller one adds {@code updatesPerBatch x n} to the credit and takes
   * {@code credit / B} updates, each on a batch of B: its n records (at most the batch's fresh
   * share, {@code B - round(replayFraction x B)}) and the rest from the buffer, as many as it
   * holds.
   */
  public static <T> Plan<T> plan(List<T> incoming, ReplayBuffer<T> buffer, ReplayConfig config,
      int batchSize, int credit, Rng rng) {
    if (incoming.isEmpty()) {
      throw new IllegalArgumentException("a micro-batch needs at least one record");
    }
    if (batchSize < 1 || credit < 0 || credit >= Math.max(batchSize, 1)) {
      throw new IllegalArgumentException("batch size " + batchSize + " and credit " + credit
          + ": the credit must be in [0, B) and B >= 1");
    }
    int n = incoming.size();
    if (n >= batchSize || config.replayFraction() == 0) {
      List<List<T>> batches = new ArrayList<>(config.updatesPerBatch());
      int replayed = Math.min(config.replayedPerUpdate(n), buffer.size());
      for (int u = 0; u < config.updatesPerBatch(); u++) {
        batches.add(batch(incoming, n - replayed, buffer, replayed, rng.split()));
      }
      return new Plan<>(batches, credit);
    }
    long owed = credit + (long) config.updatesPerBatch() * n;
    int updates = (int) (owed / batchSize);
    int replayed = Math.min(batchSize - Math.min(n, batchSize
        - config.replayedPerUpdate(batchSize)), buffer.size());
    int fresh = Math.min(n, batchSize - replayed);
    List<List<T>> batches = new ArrayList<>(updates);
    for (int u = 0; u < updates; u++) {
      batches.add(batch(incoming, fresh, buffer, replayed, rng.split()));
    }
    return new Plan<>(batches, (int) (owed % batchSize));
  }

  /** {@code fresh} of the incoming records (all, in order, when that is all of them), then
   * {@code replayed} from the buffer. */
  private static <T> List<T> batch(List<T> incoming, int fresh, ReplayBuffer<T> buffer,
      int replayed, Rng own) {
    int n = incoming.size();
    List<T> batch = new ArrayList<>(fresh + replayed);
    if (fresh == n) {
      batch.addAll(incoming);
    } else {
      for (int i : UniformDraw.withoutReplacement(n, fresh, own)) {
        batch.add(incoming.get(i));
      }
    }
    batch.addAll(buffer.sample(replayed, own));
    return batch;
  }
}
