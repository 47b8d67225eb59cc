package dev.contraflow.learn.replay;

import dev.contraflow.augment.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * The training batches of one incoming micro-batch: {@code updatesPerBatch} batches of the
 * micro-batch's size, each mixing incoming records with records replayed from the buffer (see
 * {@link ReplayConfig} for the mix). Engine- and modality-free: a learner of any record type runs
 * one gradient step per batch, embeds the incoming records once, then offers them to the buffer.
 */
public final class ReplaySchedule {

  private ReplaySchedule() {}

  /**
   * The batches for the updates on {@code incoming}, drawn with {@code rng} (one split per
   * update), from the buffer as it was before these records arrived.
   */
  public static <T> List<List<T>> updates(List<T> incoming, ReplayBuffer<T> buffer,
      ReplayConfig config, Rng rng) {
    if (incoming.isEmpty()) {
      throw new IllegalArgumentException("a micro-batch needs at least one record");
    }
    int n = incoming.size();
    List<List<T>> batches = new ArrayList<>(config.updatesPerBatch());
    for (int u = 0; u < config.updatesPerBatch(); u++) {
      Rng own = rng.split();
      int replayed = Math.min(config.replayedPerUpdate(n), buffer.size());
      int fresh = n - replayed;
      List<T> batch = new ArrayList<>(n);
      if (fresh == n) {
        batch.addAll(incoming);
      } else {
        for (int i : UniformDraw.withoutReplacement(n, fresh, own)) {
          batch.add(incoming.get(i));
        }
      }
      batch.addAll(buffer.sample(replayed, own));
      batches.add(batch);
    }
    return batches;
  }
}
