package dev.contraflow.cli;

import dev.contraflow.io.image.EncoderInput;
import dev.contraflow.job.config.JobConfigLoader;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * What images are decoded to: the encoder's input shape and the rules of {@link EncoderInput}.
 * Unset options take the job's defaults ({@code learner.encoder}'s shape, {@code model.*} and
 * {@code limits.*} of default-job.yaml), so {@code train} and {@code learn} decode alike.
 */
final class EncoderInputOptions {

  @Option(names = "--input-channels",
      description = "Channels of the encoder's input: 1 (grey) or 3 (RGB) (default:"
          + " learner.encoder.channels, 1). Other images are converted (see --channel-conversion).")
  Integer channels;

  @Option(names = "--input-height",
      description = "Rows of the encoder's input (default: learner.encoder.height, 28).")
  Integer height;

  @Option(names = "--input-width",
      description = "Columns of the encoder's input (default: learner.encoder.width, 28).")
  Integer width;

  @Option(names = "--fit",
      description = "Another aspect ratio: CROP (shorter side to the size, centre kept) or PAD"
          + " (longer side to the size, black bars) (default: model.fit, CROP).")
  EncoderInput.Fit fit;

  @Option(names = "--alpha",
      description = "Transparency: composited over WHITE or BLACK, or DROP (the stored colour)"
          + " (default: model.alpha, WHITE).")
  EncoderInput.Alpha alpha;

  @Option(names = "--channel-conversion",
      description = "CONVERT (grey -> RGB by replication, RGB -> grey by BT.601 luma) or REFUSE"
          + " images with other channels (default: model.channelConversion, CONVERT).")
  EncoderInput.ChannelConversion channelConversion;

  @Option(names = "--max-pixels",
      description = "Refuse images whose header claims more pixels (default: limits.maxPixels,"
          + " 16777216 = 4096 x 4096).")
  Long maxPixels;

  @Option(names = "--max-decoded-bytes",
      description = "Refuse images whose decoded, subsampled raster would take more bytes"
          + " (default: limits.maxDecodedBytes, 64 MiB).")
  Long maxDecodedBytes;

  /** The input the options give, unset ones from the job's defaults. */
  EncoderInput toInput() {
    EncoderInput d = defaults();
    return new EncoderInput(or(channels, d.channels()), or(height, d.height()),
        or(width, d.width()), or(fit, d.fit()), or(alpha, d.alpha()),
        or(channelConversion, d.channelConversion()), or(maxPixels, d.maxPixels()),
        or(maxDecodedBytes, d.maxDecodedBytes()));
  }

  /**
   * The input of a trained model: its shape, and the rules from the options. A shape option that
   * disagrees with the model is an error: the model cannot take another size.
   */
  EncoderInput forModel(int modelChannels, int modelHeight, int modelWidth) {
    requireModel("--input-channels", channels, modelChannels);
    requireModel("--input-height", height, modelHeight);
    requireModel("--input-width", width, modelWidth);
    return toInput().withShape(modelChannels, modelHeight, modelWidth);
  }

  /** The options that were given, as {@code --set} overrides of the job configuration. */
  List<String> asJobSettings() {
    List<String> settings = new ArrayList<>();
    for (String encoder : List.of("learner.encoder", "pairLearner.image")) {
      add(settings, encoder + ".channels", channels);
      add(settings, encoder + ".height", height);
      add(settings, encoder + ".width", width);
    }
    add(settings, "model.fit", fit);
    add(settings, "model.alpha", alpha);
    add(settings, "model.channelConversion", channelConversion);
    add(settings, "limits.maxPixels", maxPixels);
    add(settings, "limits.maxDecodedBytes", maxDecodedBytes);
    return settings;
  }

  private static EncoderInput defaults() {
    return JobConfigLoader.defaults(List.of()).encoderInput();
  }

  private static void requireModel(String option, Integer given, int model) {
    if (given != null && given != model) {
      throw new IllegalArgumentException(option + " " + given + " differs from the model's "
          + model + "; the model decides its input shape (leave " + option + " out)");
    }
  }

  private static void add(List<String> settings, String key, Object value) {
    if (value != null) {
      settings.add(key + "=" + value);
    }
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
