package dev.contraflow.job.learner;

import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.decode.KeyedInput;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;

/**
 * The live set of the current model key (issue 13): the latest input of each id the model
 * embedded, at the encoder's input size, bounded by {@code refresh.maxRecords},
 * {@code refresh.maxBytes} and, optionally, {@code refresh.ttl}; the least recently seen id leaves
 * first. Every published checkpoint re-embeds it ({@link #chunk}).
 *
 * <p>Why keyed state and not a compacted topic read back: the live set must be consistent with
 * the learner and with the refresh's progress. In keyed state one Flink checkpoint holds all
 * three with the Kafka offsets, so a restore resumes a refresh exactly where the committed output
 * stopped; a compacted topic is read at its own pace (a refresh could miss ids the job has
 * already embedded, or see ids it has not), needs a consumer per refresh inside an operator, and
 * Kafka compaction has no count, byte or per-model bound. The price is state size, which the
 * bounds cap; RocksDB keeps it on disk.
 *
 * <p>Layout: inputs by id; the arrival order as positions {@code oldest..next} (a map, so the
 * oldest can be evicted and a re-sent id can move to the newest end); the position of each id.
 * A refresh walks positions, not ids, so that it can stop after a chunk and go on after a
 * restore. An id re-sent while a refresh has not yet reached it keeps its old slot until the
 * refresh passes (see {@link #chunk}): otherwise it would jump past the refresh's end and that
 * version would miss it.
 *
 * <p>Acts on the key of the operator's current context, like the states it holds.
 */
final class LiveSet<I extends KeyedInput> {

  private final JobConfig.Refresh bounds;
  private final MapState<String, I> inputs;
  private final MapState<Long, LiveSlot> order;
  private final MapState<String, Long> positions;
  private final ValueState<LiveSetCursor> cursor;

  LiveSet(JobConfig.Refresh bounds, RuntimeContext context, MapStateDescriptor<String, I> inputs) {
    this.bounds = bounds;
    this.inputs = context.getMapState(inputs);
    this.order = context.getMapState(LearnerStateDescriptors.liveSetOrder());
    this.positions = context.getMapState(LearnerStateDescriptors.liveSetPositions());
    this.cursor = context.getState(LearnerStateDescriptors.liveSetCursor());
  }

  /** The next arrival position: a refresh starting now covers every position before it. */
  long next() throws Exception {
    LiveSetCursor c = cursor.value();
    return c == null ? 0 : c.next;
  }

  /** The oldest arrival position still held. */
  long oldest() throws Exception {
    LiveSetCursor c = cursor.value();
    return c == null ? 0 : c.oldest;
  }

  /** How many ids the live set holds. */
  int size() throws Exception {
    LiveSetCursor c = cursor.value();
    return c == null ? 0 : c.count;
  }

  /**
   * {@code in} becomes its id's latest input, at the newest end; then the oldest ids leave until
   * the bounds hold.
   *
   * @param refresh the refresh under way, whose slots not yet re-embedded stay, or null
   */
  void put(I in, long now, RefreshProgress refresh) throws Exception {
    LiveSetCursor c = cursor.value();
    c = c == null ? new LiveSetCursor(0, 0, 0, 0) : c;
    int count = c.count;
    long bytes = c.bytes;
    Long previous = positions.get(in.id);
    if (previous != null) {
      LiveSlot old = order.get(previous);
      count--;
      bytes -= old == null ? 0 : old.bytes;
      if (refresh == null || !refresh.pending(previous)) {
        order.remove(previous);
      }
    }
    order.put(c.next, new LiveSlot(in.id, in.sizeBytes(), now));
    positions.put(in.id, c.next);
    inputs.put(in.id, in);
    cursor.update(evict(new LiveSetCursor(c.oldest, c.next + 1, count + 1,
        bytes + in.sizeBytes()), now, refresh));
  }

  /**
   * Removes the least recently seen ids while the live set is over a bound or its oldest id has
   * outlived the TTL, and the emptied slots at the old end. A slot a refresh still needs stops
   * the walk unless a bound is exceeded: then it goes too, and an id pushed out while a refresh
   * is behind is one that version misses (its completion count says so).
   */
  private LiveSetCursor evict(LiveSetCursor c, long now, RefreshProgress refresh)
      throws Exception {
    long oldest = c.oldest;
    int count = c.count;
    long bytes = c.bytes;
    long expiredBefore = bounds.ttl().isZero() ? Long.MIN_VALUE : now - bounds.ttl().toMillis();
    while (oldest < c.next) {
      LiveSlot slot = order.get(oldest);
      boolean overBounds = count > bounds.maxRecords() || bytes > bounds.maxBytes();
      if (slot != null) {
        boolean live = Long.valueOf(oldest).equals(positions.get(slot.id));
        boolean kept = !live && refresh != null && refresh.pending(oldest);
        if ((live && !overBounds && slot.addedAt >= expiredBefore) || (kept && !overBounds)) {
          break;
        }
        order.remove(oldest);
        if (live) {
          positions.remove(slot.id);
          inputs.remove(slot.id);
          count--;
          bytes -= slot.bytes;
        }
      }
      oldest++;
    }
    return new LiveSetCursor(oldest, c.next, count, bytes);
  }

  /** Up to {@code max} inputs a refresh is still to re-embed, and where it goes on from. */
  record Chunk<I>(List<I> inputs, long cursor) {}

  /**
   * The next inputs of {@code refresh}, in arrival order. A slot counts if its id is still there
   * (the live set keeps the latest input of each id) and either still sits there, or has moved
   * past the refresh's end after the refresh began, in which case this kept slot is its one
   * chance in this version. Slots a refresh passes that are no longer their id's are dropped.
   */
  Chunk<I> chunk(RefreshProgress refresh, int max) throws Exception {
    List<I> out = new ArrayList<>();
    long at = Math.max(refresh.cursor, oldest());
    while (at < refresh.end && out.size() < max) {
      LiveSlot slot = order.get(at);
      if (slot != null) {
        Long now = positions.get(slot.id);
        boolean current = now != null && now == at;
        if (current || (now != null && now >= refresh.end)) {
          out.add(inputs.get(slot.id));
        }
        if (!current) {
          order.remove(at);
        }
      }
      at++;
    }
    return new Chunk<>(out, at);
  }

  /** Forgets the whole live set of the current key. */
  void clear() throws Exception {
    inputs.clear();
    order.clear();
    positions.clear();
    cursor.clear();
  }
}
