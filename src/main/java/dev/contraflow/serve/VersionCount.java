package dev.contraflow.serve;

import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What the by-version store holds of one model version, in one partition or summed over several:
 * its rows, and how many of them are refresh embeddings (the ones a COMPLETE checkpoint record
 * counts, issue 13).
 */
record VersionCount(long rows, long refreshed) {

  static final VersionCount NONE = new VersionCount(0, 0);

  VersionCount plus(VersionCount other) {
    return new VersionCount(rows + other.rows, refreshed + other.refreshed);
  }

  static Serde<VersionCount> serde() {
    return Serdes.serdeFrom(
        (topic, c) -> c == null ? null
            : ByteBuffer.allocate(2 * Long.BYTES).putLong(c.rows).putLong(c.refreshed).array(),
        (topic, bytes) -> {
          if (bytes == null) {
            return null;
          }
          ByteBuffer in = ByteBuffer.wrap(bytes);
          return new VersionCount(in.getLong(), in.getLong());
        });
  }
}
