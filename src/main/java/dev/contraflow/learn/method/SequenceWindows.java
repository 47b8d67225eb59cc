package dev.contraflow.learn.method;

import dev.contraflow.contrast.NegativeQueue;
import dev.contraflow.io.text.TokenizedSentence;
import dev.contraflow.learn.SentenceExample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recent sentences of each sequence a CPC learner is reading (issue 17): for up to S
 * sequences, the last W sentences in order, so that a sentence arriving in a later micro-batch
 * still has the sentences before it as context. Bounded in count and in bytes by construction: a
 * fixed block of floats ({@link #size}) that the learner state carries beside the networks, as it
 * carries SIF's document frequencies, so a Flink checkpoint and a model file hold it and a
 * restore continues with exactly the same windows.
 *
 * <p>A sequence takes the next slot in turn when it first appears; the S + 1st evicts the oldest
 * arrival (a stream of documents read in parallel, newest kept). A sentence whose position does
 * not follow its sequence's last by one (a gap, a repeat, a reordering) starts the window afresh:
 * a window holds consecutive sentences only. A position below 0 means "the next one".
 *
 * <p>Layout, all values exact in a float (integers below 2^24; 64-bit values as four 16-bit
 * parts): [next slot], then per slot [sequence hash (4), last position (4), count, then W
 * sentences of (tokens, tokens x slotsPerToken ids)], oldest sentence first.
 */
public final class SequenceWindows {

  private static final int HASH = 0;
  private static final int LAST = 4;
  private static final int COUNT = 8;
  private static final int SENTENCES = 9;

  private final float[] values;
  private final int sequences;
  private final int length;
  private final int maxTokens;
  private final int slotsPerToken;
  private final int sentenceStride;
  private final int slotStride;

  /**
   * A consecutive run of one sequence for one update: the window's old sentences (context only)
   * followed by the batch's new ones, each a future to predict.
   *
   * @param sentences tokens x slotsPerToken ids per sentence, in order
   * @param firstNew index of the first of the batch's sentences
   * @param sequence the hash of the run's sequence ({@link NegativeQueue#idHash} of its key)
   */
  public record Run(List<int[][]> sentences, int firstNew, long sequence) {}

  /**
   * @param values the live block, {@link #size} floats (a fresh one is all zeros: empty windows)
   * @param sequences S, windows kept
   * @param length W, sentences kept per window
   * @param maxTokens tokens kept per sentence (the encoder's)
   * @param slotsPerToken ids per token
   */
  public SequenceWindows(float[] values, int sequences, int length, int maxTokens,
      int slotsPerToken) {
    this.values = values;
    this.sequences = sequences;
    this.length = length;
    this.maxTokens = maxTokens;
    this.slotsPerToken = slotsPerToken;
    this.sentenceStride = 1 + maxTokens * slotsPerToken;
    this.slotStride = SENTENCES + length * sentenceStride;
    if (values.length != size(sequences, length, maxTokens, slotsPerToken)) {
      throw new IllegalArgumentException("sequence windows of " + sequences + " x " + length
          + " sentences take " + size(sequences, length, maxTokens, slotsPerToken)
          + " values, got " + values.length);
    }
  }

  /** Floats of the block: 4 bytes each, whatever the stream sends. */
  public static int size(int sequences, int length, int maxTokens, int slotsPerToken) {
    long n = 1 + (long) sequences * (SENTENCES + (long) length * (1 + maxTokens * slotsPerToken));
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("sequence windows of " + sequences + " x " + length
          + " sentences of " + maxTokens + " tokens would take " + n + " floats; keep fewer");
    }
    return (int) n;
  }

  /** The live block. */
  public float[] values() {
    return values;
  }

  /**
   * The runs one update trains on, and the windows after the batch: per sequence, in order of
   * first appearance, its window's sentences (if the batch's first continues them) followed by
   * the batch's sentences of that sequence; a gap inside the batch starts a new run. Every
   * example enters its sequence's window.
   */
  public List<Run> advance(List<SentenceExample> batch) {
    Map<Long, Builder> open = new LinkedHashMap<>();
    List<Builder> runs = new ArrayList<>();
    for (SentenceExample e : batch) {
      long hash = NegativeQueue.idHash(e.sequence() != null ? e.sequence() : "#id:" + e.id());
      int slot = slotOf(hash);
      Builder run = open.get(hash);
      if (run == null) {
        run = new Builder(hash, slot < 0 ? List.of() : window(slot), slot < 0 ? Long.MIN_VALUE
            : last(slot));
        open.put(hash, run);
        runs.add(run);
      }
      long position = e.position() >= 0 ? e.position()
          : run.last == Long.MIN_VALUE ? 0 : run.last + 1;
      if (run.last != Long.MIN_VALUE && position != run.last + 1) {
        run = new Builder(hash, List.of(), Long.MIN_VALUE); // not consecutive: a fresh run
        open.put(hash, run);
        runs.add(run);
      }
      int[][] tokens = truncated(e.sentence());
      run.add(tokens, position);
      append(slot < 0 ? claim(hash) : slot, hash, tokens, position);
    }
    // a window the batch's first sentence did not continue is no run: nothing in it is new
    return runs.stream().filter(Builder::hasNew).map(Builder::run).toList();
  }

  /** The sentences in a slot, oldest first. */
  private List<int[][]> window(int slot) {
    int base = 1 + slot * slotStride;
    int count = (int) values[base + COUNT];
    List<int[][]> out = new ArrayList<>(count);
    for (int s = 0; s < count; s++) {
      int at = base + SENTENCES + s * sentenceStride;
      int[][] tokens = new int[(int) values[at]][slotsPerToken];
      for (int t = 0; t < tokens.length; t++) {
        for (int j = 0; j < slotsPerToken; j++) {
          tokens[t][j] = (int) values[at + 1 + t * slotsPerToken + j];
        }
      }
      out.add(tokens);
    }
    return out;
  }

  /** Appends a sentence to a slot's window (dropping its oldest when full). */
  private void append(int slot, long hash, int[][] tokens, long position) {
    int base = 1 + slot * slotStride;
    int count = (int) values[base + COUNT];
    if (count > 0 && position != last(slot) + 1) {
      count = 0; // not consecutive: the window starts again
    }
    if (count == length) {
      int first = base + SENTENCES;
      System.arraycopy(values, first + sentenceStride, values, first,
          (length - 1) * sentenceStride);
      count--;
    }
    int at = base + SENTENCES + count * sentenceStride;
    java.util.Arrays.fill(values, at, at + sentenceStride, 0f);
    values[at] = tokens.length;
    for (int t = 0; t < tokens.length; t++) {
      for (int j = 0; j < slotsPerToken; j++) {
        values[at + 1 + t * slotsPerToken + j] = exact(tokens[t][j]);
      }
    }
    values[base + COUNT] = count + 1;
    putLong(base + HASH, hash);
    putLong(base + LAST, position);
  }

  /** The slot holding {@code hash}'s window, or -1. */
  private int slotOf(long hash) {
    for (int slot = 0; slot < sequences; slot++) {
      int base = 1 + slot * slotStride;
      if (values[base + COUNT] > 0 && getLong(base + HASH) == hash) {
        return slot;
      }
    }
    return -1;
  }

  /** The next slot in turn, emptied: the oldest arrival's window gives way. */
  private int claim(long hash) {
    int slot = (int) values[0];
    values[0] = (slot + 1) % sequences;
    int base = 1 + slot * slotStride;
    values[base + COUNT] = 0;
    putLong(base + HASH, hash);
    return slot;
  }

  private long last(int slot) {
    return getLong(1 + slot * slotStride + LAST);
  }

  private int[][] truncated(TokenizedSentence s) {
    int n = Math.min(maxTokens, s.length());
    int[][] out = new int[n][];
    for (int t = 0; t < n; t++) {
      if (s.tokens()[t].length != slotsPerToken) {
        throw new IllegalArgumentException("sentence " + s.id() + " has " + s.tokens()[t].length
            + " ids per token, the encoder takes " + slotsPerToken);
      }
      out[t] = s.tokens()[t];
    }
    return out;
  }

  private static float exact(int id) {
    if (id < 0 || id >= 1 << 24) {
      throw new IllegalArgumentException("token id " + id + " is outside [0, 2^24)");
    }
    return id;
  }

  private void putLong(int at, long v) {
    for (int i = 0; i < 4; i++) {
      values[at + i] = (float) ((v >>> (16 * i)) & 0xffff);
    }
  }

  private long getLong(int at) {
    long v = 0;
    for (int i = 0; i < 4; i++) {
      v |= ((long) values[at + i]) << (16 * i);
    }
    return v;
  }

  /** A run being gathered: its sentences and its last position. */
  private static final class Builder {
    final long sequence;
    final List<int[][]> sentences;
    final int firstNew;
    long last;

    Builder(long sequence, List<int[][]> old, long last) {
      this.sequence = sequence;
      this.sentences = new ArrayList<>(old);
      this.firstNew = old.size();
      this.last = last;
    }

    void add(int[][] tokens, long position) {
      sentences.add(tokens);
      last = position;
    }

    boolean hasNew() {
      return sentences.size() > firstNew;
    }

    Run run() {
      return new Run(List.copyOf(sentences), firstNew, sequence);
    }
  }
}
