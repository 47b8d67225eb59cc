package dev.contraflow.learn.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.augment.Rng;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {

  private static final ToLongFunction<String> LENGTH = String::length;

  private static ReplayConfig config(int capacity, long maxBytes, ReplayPolicy policy) {
    return new ReplayConfig(capacity, maxBytes, policy, 1, 0.5);
  }

  /** Records "r0", "r1", ... numbered from {@code from}. */
  private static List<String> records(int from, int n) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add("r" + i);
    }
    return out;
  }

  /** A random unit-ish feature per record, so MIN_REDUNDANCY can run on any sequence. */
  private static List<float[]> randomFeatures(int n, int d, Rng rng) {
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] f = new float[d];
      for (int j = 0; j < d; j++) {
        f[j] = (float) rng.nextGaussian();
      }
      out.add(f);
    }
    return out;
  }

  @Test
  void boundsInCountAndBytesHoldUnderAnySequenceForEveryPolicy() {
    Rng sizes = new Rng(11);
    for (ReplayPolicy policy : ReplayPolicy.values()) {
      ReplayConfig c = config(40, 300, policy);
      ReplayBuffer<String> b = ReplayBuffer.empty();
      Rng rng = new Rng(3);
      int next = 0;
      for (int batch = 0; batch < 60; batch++) {
        int n = 1 + sizes.nextInt(25); // ragged batches, records of 2..30 characters
        List<String> in = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          in.add("x".repeat(sizes.nextInt(29)) + (next++ % 10));
        }
        b = b.offer(in, randomFeatures(n, 4, rng), c, LENGTH, rng.split());
        assertTrue(b.size() <= 40, policy + ": " + b.size() + " entries");
        assertTrue(b.bytes() <= 300, policy + ": " + b.bytes() + " bytes");
        assertEquals(b.items().stream().mapToLong(String::length).sum(), b.bytes(), policy + "");
        assertEquals(next, b.offered());
      }
      assertTrue(b.size() > 5, policy + " kept almost nothing: " + b.size());
    }
  }

  @Test
  void aRecordLargerThanTheByteBoundNeverStays() {
    for (ReplayPolicy policy : ReplayPolicy.values()) {
      ReplayBuffer<String> b = ReplayBuffer.<String>empty().offer(List.of("tiny", "x".repeat(50)),
          randomFeatures(2, 3, new Rng(1)), config(10, 20, policy), LENGTH, new Rng(2));
      assertFalse(b.items().contains("x".repeat(50)), policy + " kept " + b.items());
    }
  }

  @Test
  void fifoKeepsTheNewestRecordsInArrivalOrder() {
    ReplayConfig c = config(5, 1000, ReplayPolicy.FIFO);
    ReplayBuffer<String> b = ReplayBuffer.empty();
    b = b.offer(records(0, 3), List.of(), c, LENGTH, new Rng(0));
    b = b.offer(records(3, 4), List.of(), c, LENGTH, new Rng(0));
    assertEquals(records(2, 5), b.items());
    assertEquals(2, b.arrival(0));
    b = b.offer(records(7, 9), List.of(), c, LENGTH, new Rng(0));
    assertEquals(records(11, 5), b.items());
  }

  @Test
  void offerLeavesTheOldBufferUntouched() {
    ReplayConfig c = config(3, 1000, ReplayPolicy.FIFO);
    ReplayBuffer<String> before = ReplayBuffer.<String>empty()
        .offer(records(0, 3), List.of(), c, LENGTH, new Rng(0));
    ReplayBuffer<String> after = before.offer(records(3, 2), List.of(), c, LENGTH, new Rng(0));
    assertEquals(records(0, 3), before.items());
    assertEquals(3, before.offered());
    assertEquals(List.of("r2", "r3", "r4"), after.items());
  }

  /**
   * Algorithm R keeps each of the N records offered with probability capacity / N. Over 2000
   * independent streams of 100 records into 10 slots each record's count is Binomial(2000, 0.1):
   * mean 200, sd 13.4. The bound of 5 sd per record (and the chi-square over all 100 records
   * below its 0.1% critical value of 149) holds for a uniform reservoir and fails for FIFO, which
   * keeps only the last ten.
   */
  @Test
  void reservoirKeepsEveryRecordOfTheStreamWithEqualProbability() {
    int streams = 2000;
    int length = 100;
    int capacity = 10;
    int[] kept = new int[length];
    Rng rng = new Rng(20220);
    for (int s = 0; s < streams; s++) {
      ReplayBuffer<String> b = ReplayBuffer.empty();
      for (int from = 0; from < length; from += 7) { // ragged batches of 7
        b = b.offer(records(from, Math.min(7, length - from)), List.of(),
            config(capacity, 1 << 20, ReplayPolicy.RESERVOIR), LENGTH, rng.split());
      }
      assertEquals(capacity, b.size());
      for (String r : b.items()) {
        kept[Integer.parseInt(r.substring(1))]++;
      }
    }
    double expected = (double) streams * capacity / length;
    double sd = Math.sqrt(streams * 0.1 * 0.9);
    double chiSquare = 0;
    for (int i = 0; i < length; i++) {
      assertTrue(Math.abs(kept[i] - expected) < 5 * sd, "record " + i + " kept " + kept[i]
          + " times, expected " + expected);
      chiSquare += (kept[i] - expected) * (kept[i] - expected) / expected;
    }
    assertTrue(chiSquare < 149, "chi-square " + chiSquare + " over 99 degrees of freedom");
  }

  /**
   * Five well-separated directions, each offered many times with tiny noise: a MinRed buffer of
   * five keeps one of each, where FIFO keeps five copies of the last direction.
   */
  @Test
  void minRedundancyKeepsDiverseRecordsAndDropsNearDuplicates() {
    int d = 5;
    Rng noise = new Rng(5);
    List<String> in = new ArrayList<>();
    List<float[]> features = new ArrayList<>();
    for (int direction = 0; direction < d; direction++) {
      for (int copy = 0; copy < 8; copy++) {
        float[] f = new float[d];
        f[direction] = 1;
        for (int j = 0; j < d; j++) {
          f[j] += (float) (0.01 * noise.nextGaussian());
        }
        in.add("dir" + direction + "-copy" + copy);
        features.add(f);
      }
    }
    ReplayBuffer<String> minRed = ReplayBuffer.empty();
    ReplayBuffer<String> fifo = ReplayBuffer.empty();
    for (int from = 0; from < in.size(); from += 4) {
      minRed = minRed.offer(in.subList(from, from + 4), features.subList(from, from + 4),
          config(5, 1000, ReplayPolicy.MIN_REDUNDANCY), LENGTH, new Rng(0));
      fifo = fifo.offer(in.subList(from, from + 4), List.of(),
          config(5, 1000, ReplayPolicy.FIFO), LENGTH, new Rng(0));
    }
    assertEquals(Set.of("dir0", "dir1", "dir2", "dir3", "dir4"), directions(minRed));
    assertEquals(Set.of("dir4"), directions(fifo));
  }

  @Test
  void minRedundancyEvictsTheCloserOfTwoNearDuplicatesFirst() {
    // a and b almost equal, c orthogonal to both: the buffer of two must keep c.
    List<float[]> f = List.of(new float[] {1, 0}, new float[] {0.99f, 0.05f},
        new float[] {0, 1});
    ReplayBuffer<String> b = ReplayBuffer.<String>empty().offer(List.of("a", "b", "c"), f,
        config(2, 1000, ReplayPolicy.MIN_REDUNDANCY), LENGTH, new Rng(0));
    assertTrue(b.items().contains("c"), "kept " + b.items());
    assertEquals(2, b.size());
  }

  /**
   * The incremental MinRed (nearest neighbours kept between offers, stale ones recomputed lazily)
   * evicts exactly what the authors' max-coverage reduction does: after each offer, build the
   * whole similarity matrix, then repeatedly drop the entry whose row maximum is highest (the
   * first on a tie) and mask its row and column.
   */
  @Test
  void minRedundancyEvictsExactlyWhatTheMaskedSimilarityMatrixWould() {
    Rng rng = new Rng(12);
    ReplayConfig c = config(12, 1000, ReplayPolicy.MIN_REDUNDANCY);
    ReplayBuffer<String> b = ReplayBuffer.empty();
    List<String> ids = new ArrayList<>();
    List<double[]> kept = new ArrayList<>();
    for (int round = 0; round < 15; round++) {
      List<String> in = records(round * 5, 5);
      List<float[]> f = randomFeatures(5, 3, rng); // 3-d: many close pairs
      b = b.offer(in, f, c, LENGTH, new Rng(0));
      for (int i = 0; i < 5; i++) {
        ids.add(in.get(i));
        kept.add(unit(f.get(i)));
      }
      while (ids.size() > 12) {
        int victim = -1;
        double best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < ids.size(); i++) {
          double nearest = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < ids.size(); j++) {
            if (j != i) {
              nearest = Math.max(nearest, dot(kept.get(i), kept.get(j)));
            }
          }
          if (nearest > best) {
            best = nearest;
            victim = i;
          }
        }
        ids.remove(victim);
        kept.remove(victim);
      }
      assertEquals(ids, b.items(), "after round " + round);
    }
  }

  private static double[] unit(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] / Math.sqrt(norm);
    }
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void minRedundancyRefusesRecordsWithoutFeatures() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReplayBuffer.<String>empty().offer(records(0, 2), List.of(),
            config(4, 1000, ReplayPolicy.MIN_REDUNDANCY), LENGTH, new Rng(0)));
    assertTrue(e.getMessage().contains("one feature vector per record"), e.getMessage());
  }

  @Test
  void theSameSeedGivesTheSameBufferAndSamples() {
    for (ReplayPolicy policy : ReplayPolicy.values()) {
      ReplayBuffer<String> a = run(policy, new Rng(99));
      ReplayBuffer<String> b = run(policy, new Rng(99));
      assertTrue(a.sameAs(b, String::equals), policy + "");
      assertEquals(a.sample(5, new Rng(1)), b.sample(5, new Rng(1)));
    }
    assertFalse(run(ReplayPolicy.RESERVOIR, new Rng(99)).items()
        .equals(run(ReplayPolicy.RESERVOIR, new Rng(100)).items()));
  }

  @Test
  void sampleDrawsDistinctHeldRecordsAndNoMoreThanHeld() {
    ReplayBuffer<String> b = run(ReplayPolicy.FIFO, new Rng(1));
    List<String> s = b.sample(8, new Rng(4));
    assertEquals(8, new HashSet<>(s).size());
    assertTrue(b.items().containsAll(s));
    assertEquals(b.size(), b.sample(b.size() + 10, new Rng(4)).size());
    assertTrue(ReplayBuffer.<String>empty().sample(3, new Rng(4)).isEmpty());
  }

  /** 12 batches of 9 records into a buffer of 20, features random. */
  static ReplayBuffer<String> run(ReplayPolicy policy, Rng rng) {
    ReplayBuffer<String> b = ReplayBuffer.empty();
    for (int batch = 0; batch < 12; batch++) {
      b = b.offer(records(batch * 9, 9), randomFeatures(9, 6, rng), config(20, 1000, policy),
          LENGTH, rng.split());
    }
    return b;
  }

  private static Set<String> directions(ReplayBuffer<String> b) {
    Set<String> out = new HashSet<>();
    for (String r : b.items()) {
      out.add(r.substring(0, r.indexOf('-')));
    }
    return out;
  }
}
