package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.learn.Method;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** How the command line reads what people type, before any command runs. */
class CommandLineArgumentsTest {

  private final StringWriter err = new StringWriter();

  /** The parse of {@code args} by the real command tree, down to the innermost subcommand. */
  private static ParseResult parse(String... args) {
    ParseResult result = EnumChoice.install(new CommandLine(new Contraflow())).parseArgs(args);
    while (result.hasSubcommand()) {
      result = result.subcommand();
    }
    return result;
  }

  @ParameterizedTest
  @ValueSource(strings = {"MOCO_V3", "moco_v3", "moco-v3", "Moco-V3"})
  void methodNamesIgnoreCaseAndTreatDashAsUnderscore(String typed) {
    ParseResult train = parse("train", "--images", "x", "--model-out", "m.cfm", "--method",
        typed);
    assertEquals(Method.MOCO_V3, train.matchedOptionValue("--method", null));
  }

  @Test
  void everyEnumOptionIsLenientNotOnlyTheMethod() {
    ParseResult train = parse("train", "--images", "x", "--model-out", "m.cfm", "--method",
        "simclr", "--encoder", "mlp", "--momentum-schedule", "cosine");
    assertEquals(Method.SIMCLR, train.matchedOptionValue("--method", null));
    assertEquals(EncoderKind.MLP, train.matchedOptionValue("--encoder", null));
    assertEquals(MomentumUpdate.Schedule.COSINE,
        train.matchedOptionValue("--momentum-schedule", null));
  }

  @Test
  void anUnknownChoiceIsOneLineListingTheChoices() {
    int code = Contraflow.run(new PrintWriter(err, true), "train", "--images", "x",
        "--model-out", "m.cfm", "--method", "mocov4");
    assertEquals(2, code);
    String message = err.toString().strip();
    assertTrue(message.startsWith("contraflow train: error: "), message);
    assertTrue(message.contains("'mocov4' is not one of MOCO, SIMCSE, ESIMCSE, CONSERT, SIMCLR, "
        + "MOCO_V3, BYOL, SIMSIAM, INSTDISC, SWAV"), message);
    assertFalse(message.contains("\n"), "one line, not the usage page: " + message);
  }

  @Test
  void checkpointsFollowOneOptionAsTheReadmeWritesThem() {
    ParseResult eval = parse("eval", "--images", "x", "--checkpoint", "a.cfm", "b.cfm",
        "--out", "r");
    assertEquals(List.of("a.cfm", "b.cfm"), eval.matchedOptionValue("--checkpoint", null));
    assertEquals("r", eval.matchedOptionValue("--out", null).toString());
  }

  @Test
  void theCheckpointOptionStillRepeats() {
    ParseResult eval = parse("eval", "--images", "x", "--checkpoint", "a.cfm", "--checkpoint",
        "b.cfm");
    assertEquals(List.of("a.cfm", "b.cfm"), eval.matchedOptionValue("--checkpoint", null));
  }

  @Test
  void aBadValueOfASubSubcommandNamesTheWholeCommand() {
    assertEquals(2, Contraflow.run(new PrintWriter(err, true), "bench", "speed", "--steps",
        "many"));
    assertTrue(err.toString().startsWith("contraflow bench speed: error: Invalid value for "
        + "option '--steps'"), err.toString());
    assertTrue(err.toString().strip().endsWith("(see contraflow bench speed --help)"),
        err.toString());
  }
}
