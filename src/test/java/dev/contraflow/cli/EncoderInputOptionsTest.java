package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.image.EncoderInput;
import dev.contraflow.job.config.JobConfigLoader;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line and the job decode images alike: one home for every default. */
class EncoderInputOptionsTest {

  @Test
  void withoutOptionsTheCommandsDecodeAsTheJobsDefaultsSay() {
    EncoderInput job = JobConfigLoader.defaults(List.of()).encoderInput();

    assertEquals(job, parse().toInput());
    assertEquals(EncoderInput.of(1, 28, 28), job, "EncoderInput.of's rules are the YAML's");
  }

  @Test
  void optionsGivenToTheDemoReachTheJobItRuns() {
    EncoderInputOptions options = parse("--input-channels", "3", "--input-height", "64",
        "--input-width", "48", "--fit", "pad", "--alpha", "black", "--channel-conversion",
        "refuse", "--max-pixels", "1000000", "--max-decoded-bytes", "1048576");

    EncoderInput job = JobConfigLoader.defaults(options.asJobSettings()).encoderInput();

    assertEquals(options.toInput(), job);
    assertEquals(new EncoderInput(3, 64, 48, EncoderInput.Fit.PAD, EncoderInput.Alpha.BLACK,
        EncoderInput.ChannelConversion.REFUSE, 1_000_000, 1 << 20), job);
  }

  @Test
  void aTrainedModelKeepsItsShapeAndTakesOnlyTheRules() {
    EncoderInputOptions options = parse("--alpha", "drop");

    EncoderInput input = options.forModel(3, 32, 32);

    assertEquals(3, input.channels());
    assertEquals(32, input.height());
    assertEquals(EncoderInput.Alpha.DROP, input.alpha());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("--input-height", "64").forModel(3, 32, 32));
    assertTrue(e.getMessage().contains("--input-height 64 differs from the model's 32"),
        e.getMessage());
  }

  private static EncoderInputOptions parse(String... args) {
    EncoderInputOptions options = new EncoderInputOptions();
    EnumChoice.install(new CommandLine(options)).parseArgs(args);
    return options;
  }
}
