package dev.contraflow.io.image;

import java.io.EOFException;
import java.io.IOException;
import javax.imageio.stream.ImageInputStream;

/**
 * The EXIF Orientation tag (0x0112 in IFD0 of a JPEG's APP1 "Exif" segment): how a camera's stored
 * pixels must be turned to show the scene upright. Phones store portrait photos as landscape
 * pixels with orientation 6; ImageIO ignores the tag, so without it every such photo would reach
 * the encoder lying on its side.
 *
 * <p>Values 1..8 as in the EXIF 2.3 specification (and PIL's {@code ImageOps.exif_transpose}): 1
 * as stored, 2 mirrored, 3 rotated 180 degrees, 4 flipped, 5 transposed, 6 rotated 90 degrees
 * clockwise, 7 transversed, 8 rotated 90 degrees counter-clockwise. A missing or malformed tag
 * is 1: the metadata is advisory, the pixels are what count.
 */
final class ExifOrientation {

  static final int AS_STORED = 1;

  private static final int SOI = 0xd8;
  private static final int SOS = 0xda;
  private static final int EOI = 0xd9;
  private static final int APP1 = 0xe1;
  private static final int ORIENTATION_TAG = 0x0112;
  private static final int TYPE_SHORT = 3;
  /** Camera files put APP1 first or second; the bound keeps a crafted file from looping long. */
  private static final int MOST_SEGMENTS_SCANNED = 64;
  private static final byte[] EXIF_HEADER = {'E', 'x', 'i', 'f', 0, 0};

  private ExifOrientation() {}

  /**
   * The orientation of the JPEG in {@code in}, read from its header segments (up to the first
   * scan); the stream is left at its start.
   */
  static int read(ImageInputStream in) throws IOException {
    try {
      in.seek(0);
      return in.readUnsignedByte() == 0xff && in.readUnsignedByte() == SOI ? scan(in) : AS_STORED;
    } catch (EOFException e) {
      return AS_STORED; // a truncated header: the codec will say so
    } finally {
      in.seek(0);
    }
  }

  /** Whether the orientation swaps width and height (the transposing ones, 5 to 8). */
  static boolean swapsSides(int orientation) {
    return orientation >= 5;
  }

  /** {@code in} as it is to be shown; {@code in} itself when the orientation is 1. */
  static Image apply(Image in, int orientation) {
    if (orientation == AS_STORED) {
      return in;
    }
    int h = in.height();
    int w = in.width();
    boolean swap = swapsSides(orientation);
    int outH = swap ? w : h;
    int outW = swap ? h : w;
    float[] src = in.pixels();
    float[] out = new float[src.length];
    for (int c = 0; c < in.channels(); c++) {
      int plane = c * h * w;
      for (int y = 0; y < outH; y++) {
        for (int x = 0; x < outW; x++) {
          out[plane + y * outW + x] = src[plane + sourceIndex(orientation, x, y, w, h)];
        }
      }
    }
    return new Image(in.id(), in.channels(), outH, outW, out);
  }

  /** Where output pixel (x, y) comes from in the stored w x h image. */
  private static int sourceIndex(int orientation, int x, int y, int w, int h) {
    return switch (orientation) {
      case 2 -> y * w + (w - 1 - x);
      case 3 -> (h - 1 - y) * w + (w - 1 - x);
      case 4 -> (h - 1 - y) * w + x;
      case 5 -> x * w + y;
      case 6 -> (h - 1 - x) * w + y;
      case 7 -> (h - 1 - x) * w + (w - 1 - y);
      case 8 -> x * w + (w - 1 - y);
      default -> y * w + x;
    };
  }

  private static int scan(ImageInputStream in) throws IOException {
    for (int segment = 0; segment < MOST_SEGMENTS_SCANNED; segment++) {
      int marker = nextMarker(in);
      if (marker == SOS || marker == EOI) {
        return AS_STORED;
      }
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        continue; // markers without a length
      }
      int length = in.readUnsignedShort() - 2;
      if (length < 0) {
        return AS_STORED;
      }
      if (marker == APP1 && length > EXIF_HEADER.length) {
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (startsWithExifHeader(payload)) {
          return orientationIn(payload, EXIF_HEADER.length);
        }
      } else {
        in.skipBytes(length);
      }
    }
    return AS_STORED;
  }

  /** The marker byte after 0xFF (and any 0xFF fill bytes). */
  private static int nextMarker(ImageInputStream in) throws IOException {
    int b = in.readUnsignedByte();
    while (b != 0xff) {
      b = in.readUnsignedByte();
    }
    while (b == 0xff) {
      b = in.readUnsignedByte();
    }
    return b;
  }

  private static boolean startsWithExifHeader(byte[] payload) {
    for (int i = 0; i < EXIF_HEADER.length; i++) {
      if (payload[i] != EXIF_HEADER[i]) {
        return false;
      }
    }
    return true;
  }

  /** The Orientation entry of IFD0 of the TIFF structure at {@code tiff}, or 1. */
  private static int orientationIn(byte[] b, int tiff) {
    if (b.length < tiff + 8) {
      return AS_STORED;
    }
    boolean littleEndian = b[tiff] == 'I' && b[tiff + 1] == 'I';
    if (!littleEndian && !(b[tiff] == 'M' && b[tiff + 1] == 'M')) {
      return AS_STORED;
    }
    Tiff t = new Tiff(b, tiff, littleEndian);
    if (t.u16(2) != 42) {
      return AS_STORED;
    }
    long ifd = t.u32(4);
    if (ifd < 8 || tiff + ifd + 2 > b.length) {
      return AS_STORED;
    }
    int entries = t.u16((int) ifd);
    for (int i = 0; i < entries; i++) {
      int entry = (int) ifd + 2 + 12 * i;
      if (tiff + entry + 12 > b.length) {
        return AS_STORED;
      }
      if (t.u16(entry) == ORIENTATION_TAG) {
        int value = t.u16(entry + 8);
        return t.u16(entry + 2) == TYPE_SHORT && value >= 1 && value <= 8 ? value : AS_STORED;
      }
    }
    return AS_STORED;
  }

  /** Unsigned reads at offsets from the start of the TIFF header, in its byte order. */
  private record Tiff(byte[] b, int origin, boolean littleEndian) {
    int u16(int at) {
      int first = b[origin + at] & 0xff;
      int second = b[origin + at + 1] & 0xff;
      return littleEndian ? first | second << 8 : first << 8 | second;
    }

    long u32(int at) {
      long first = u16(at);
      long second = u16(at + 2);
      return littleEndian ? first | second << 16 : first << 16 | second;
    }
  }
}
