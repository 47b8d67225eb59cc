package dev.contraflow.learn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** A model file's sizes are claims: the reader allocates what arrives, not what is claimed. */
class ModelFileLimitsTest {

  @Test
  void aHeaderClaimingAGigabyteInAFewBytesAllocatesAFewBytes() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(ModelFile.MAGIC);
      out.writeInt(ModelFile.CURRENT_VERSION);
      out.writeInt(1 << 30); // a 1 GiB header block, followed by 4 bytes
      out.writeInt(7);
    }
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(tid);
    IOException e = assertThrows(IOException.class, () -> ModelFile.fromBytes(bytes.toByteArray()));
    long allocated = threads.getThreadAllocatedBytes(tid) - before;
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    assertTrue(allocated < 16 << 20, "allocated " + allocated + " bytes for a 16-byte file");
  }
}
