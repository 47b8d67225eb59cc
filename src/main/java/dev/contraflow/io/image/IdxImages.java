package dev.contraflow.io.image;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * The images of an IDX file as read: the file's unsigned bytes, a quarter of the float pixels'
 * size, each {@link Image} made when it is asked for. Loading 60,000 Fashion-MNIST images as
 * floats kept 190 MB live on the Java heap and, as the collector copied them out of the young
 * generation, made it grow the heap to over 2 GB before training began (issue 20: peak RSS of one
 * pass without JVM flags); as bytes they are 47 MB, and an image handed out is short-lived.
 *
 * <p>Unmodifiable. Each {@link #get} returns a new {@code Image} with the same values (ids are the
 * 0-based index, pixels the bytes divided by 255).
 */
final class IdxImages extends AbstractList<Image> implements RandomAccess {

  /**
   * Bytes per block, about: blocks keep any count addressable, need no copy as the file is read,
   * and a corrupt header's count costs no more than the data that arrives.
   */
  private static final int BLOCK_BYTES = 1 << 22;

  private final int rows;
  private final int columns;
  private final int count;
  private final int perBlock;
  private final byte[][] blocks; // each perBlock x rows x columns bytes, the last one fewer images

  IdxImages(int rows, int columns, int count, byte[][] blocks) {
    this.rows = rows;
    this.columns = columns;
    this.count = count;
    this.perBlock = imagesPerBlock(rows * columns);
    this.blocks = blocks;
  }

  /** How many images of {@code pixels} bytes one block holds. */
  static int imagesPerBlock(int pixels) {
    return Math.max(1, BLOCK_BYTES / pixels);
  }

  @Override
  public Image get(int index) {
    if (index < 0 || index >= count) {
      throw new IndexOutOfBoundsException("image " + index + " of " + count);
    }
    int pixels = rows * columns;
    byte[] block = blocks[index / perBlock];
    int offset = (index % perBlock) * pixels;
    float[] values = new float[pixels];
    for (int i = 0; i < pixels; i++) {
      values[i] = (block[offset + i] & 0xff) / 255f;
    }
    return new Image(Integer.toString(index), 1, rows, columns, values);
  }

  @Override
  public int size() {
    return count;
  }
}
