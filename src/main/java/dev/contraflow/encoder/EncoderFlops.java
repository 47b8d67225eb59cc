package dev.contraflow.encoder;

/**
 * Floating-point operations of one forward pass, counted from the architecture (2 per
 * multiply-add in convolutions and dense layers; batch norm, activations and pooling are ignored
 * as they are a few percent). The speed benchmark divides achieved model FLOP/s by ND4J's matmul
 * FLOP/s to say how close the encoder runs to the machine's limit.
 */
public final class EncoderFlops {

  private EncoderFlops() {}

  /** FLOPs of one example's forward pass through backbone and head. */
  public static long forward(EncoderConfig c) {
    return backbone(c) + dense(c.representationDim(), c.projectionHidden())
        + dense(c.projectionHidden(), c.projectionDim());
  }

  private static long backbone(EncoderConfig c) {
    int w = c.baseWidth();
    int h = c.height();
    int x = c.width();
    return switch (c.kind()) {
      case CNN, GEMM_CNN -> stem(c)
          + conv(ceilDiv(h, EncoderGraphs.PATCH), ceilDiv(x, EncoderGraphs.PATCH), 2 * w, 4 * w,
              3, 1);
      case RESNET -> resnet(c);
      case MLP, GEMM_MLP -> dense(c.inputSize(), 16 * w) + dense(16 * w, 8 * w);
      case VIT -> vit(c);
      case PATCH_MLP -> stem(c) + dense(ceilDiv(h, EncoderGraphs.PATCH)
          * ceilDiv(x, EncoderGraphs.PATCH) * 2 * w, 16 * w) + dense(16 * w, 8 * w);
    };
  }

  /**
   * The patch projection, then per block the QKV, output and MLP GEMMs on P tokens of D values
   * and the two P x P attention products.
   */
  private static long vit(EncoderConfig c) {
    int d = c.representationDim();
    long p = (long) (c.height() / EncoderGraphs.PATCH) * (c.width() / EncoderGraphs.PATCH);
    int patchValues = c.channels() * EncoderGraphs.PATCH * EncoderGraphs.PATCH;
    long block = p * (dense(d, 3 * d) + dense(d, d) + 2 * dense(d, TransformerBlock.MLP_RATIO * d))
        + 2 * 2 * p * p * d;
    return p * dense(patchValues, d) + c.blocksPerStage() * block;
  }

  /** The 4x4 stride-4 patchify convolution to 2w channels. */
  private static long stem(EncoderConfig c) {
    return conv(c.height(), c.width(), c.channels(), 2 * c.baseWidth(), EncoderGraphs.PATCH,
        EncoderGraphs.PATCH);
  }

  private static long resnet(EncoderConfig c) {
    int w = c.baseWidth();
    int h = c.height();
    int x = c.width();
    long total = conv(h, x, c.channels(), w, 3, 1);
    int in = w;
    int[] widths = {w, 2 * w, 4 * w};
    for (int s = 0; s < 3; s++) {
      for (int b = 0; b < c.blocksPerStage(); b++) {
        int stride = (s > 0 && b == 0) ? 2 : 1;
        total += conv(h, x, in, widths[s], 3, stride);
        if (stride == 2) {
          h = down(h);
          x = down(x);
        }
        total += conv(h, x, widths[s], widths[s], 3, 1);
        if (stride != 1 || in != widths[s]) {
          total += conv(h * stride, x * stride, in, widths[s], 1, stride);
        }
        in = widths[s];
      }
    }
    return total;
  }

  /** 'Same' padding: output size ceil(in / stride). */
  private static long conv(int h, int w, int in, int out, int k, int stride) {
    long oh = (h + stride - 1) / stride;
    long ow = (w + stride - 1) / stride;
    return 2L * oh * ow * k * k * in * out;
  }

  private static long dense(int in, int out) {
    return 2L * in * out;
  }

  private static int ceilDiv(int n, int d) {
    return (n + d - 1) / d;
  }

  private static int down(int n) {
    return (n + 1) / 2;
  }
}
