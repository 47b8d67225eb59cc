package dev.contraflow.learn;

import dev.contraflow.encoder.Encoder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A method's networks by name: the DL4J scratch space a learner loads from a {@link LearnerState}
 * before a step and copies into the next state after it. A trained network keeps its optimiser
 * state; a momentum copy keeps parameters only. A method's running statistics that belong to no
 * network (DINO's centre) are kept the same way, as a block of values without optimiser state, so
 * they are loaded, captured and restored with the networks.
 */
public final class Networks {

  /**
   * One named block: a network (trained or not), running statistics (encoder null), or trained
   * values outside any encoder (encoder null, their optimiser state in {@code updater}).
   */
  private record Entry(Encoder encoder, boolean trained, float[] statistics, float[] updater) {

    float[] params() {
      return encoder != null ? encoder.params() : statistics.clone();
    }

    float[] updaterState() {
      return encoder != null ? encoder.updaterState() : updater.clone();
    }
  }

  private final Map<String, Entry> byName = new LinkedHashMap<>();

  /** Adds a network the optimiser trains (its optimiser state is part of the learner state). */
  public Networks trained(String name, Encoder encoder) {
    return add(name, encoder, true);
  }

  /** Adds a network no optimiser trains, such as a momentum encoder: parameters only. */
  public Networks untrained(String name, Encoder encoder) {
    return add(name, encoder, false);
  }

  /**
   * Adds running statistics that are no network (DINO's centre): {@code values} is the live
   * array the method reads and writes in place; a load overwrites it, a capture copies it.
   */
  public Networks statistics(String name, float[] values) {
    return add(name, new Entry(null, false, values, null));
  }

  /**
   * Adds parameters a method trains outside any encoder (CPC's context network and prediction
   * maps): {@code values} and {@code updaterState} are live arrays the method moves in place; a
   * load overwrites both, a capture copies both.
   */
  public Networks trainedValues(String name, float[] values, float[] updaterState) {
    return add(name, new Entry(null, true, values, updaterState));
  }

  private Networks add(String name, Encoder encoder, boolean trained) {
    return add(name, new Entry(encoder, trained, null, null));
  }

  private Networks add(String name, Entry entry) {
    if (byName.putIfAbsent(name, entry) != null) {
      throw new IllegalArgumentException("network '" + name + "' added twice");
    }
    return this;
  }

  public Encoder get(String name) {
    Entry e = byName.get(name);
    if (e == null || e.encoder() == null) {
      throw new IllegalArgumentException("no network '" + name + "' (there are "
          + byName.keySet() + ")");
    }
    return e.encoder();
  }

  /** Fresh copies of every network's parameters (and optimiser state, where trained). */
  public Map<String, LearnerState.Network> capture() {
    Map<String, LearnerState.Network> out = new LinkedHashMap<>();
    byName.forEach((name, e) -> out.put(name, new LearnerState.Network(e.params(),
        e.trained() ? e.updaterState() : new float[0])));
    return out;
  }

  /**
   * Writes a state's networks into these, which are only scratch space between steps.
   *
   * @throws IllegalArgumentException if the state holds other networks (another method's state)
   */
  public void load(LearnerState state) {
    if (!state.networks().keySet().equals(byName.keySet())) {
      String missing = byName.containsKey(LearnerState.MOMENTUM)
          && !state.networks().containsKey(LearnerState.MOMENTUM)
          ? "this learner's method has a momentum encoder but the state holds none"
          : state.networks().containsKey(LearnerState.MOMENTUM)
              && !byName.containsKey(LearnerState.MOMENTUM)
              ? "the state holds momentum-encoder parameters but this learner's method has no"
                  + " momentum encoder"
              : "the state's networks are not this learner's";
      throw new IllegalArgumentException(missing + " (state: " + state.networks().keySet()
          + ", learner: " + byName.keySet() + "; was it made with another method?)");
    }
    byName.forEach((name, e) -> {
      LearnerState.Network n = state.networks().get(name);
      if (e.encoder() == null) {
        loadStatistics(name, n.params(), e.statistics());
        if (e.trained()) {
          loadStatistics(name + " optimiser state", n.updaterState(), e.updater());
        }
        return;
      }
      e.encoder().loadParams(n.params());
      if (e.trained()) {
        e.encoder().loadUpdaterState(n.updaterState());
      }
    });
  }

  private static void loadStatistics(String name, float[] from, float[] into) {
    if (from.length != into.length) {
      throw new IllegalArgumentException("the state's '" + name + "' holds " + from.length
          + " values but this learner keeps " + into.length + " (was it made with other"
          + " settings?)");
    }
    System.arraycopy(from, 0, into, 0, into.length);
  }
}
