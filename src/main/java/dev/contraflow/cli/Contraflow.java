package dev.contraflow.cli;

import dev.contraflow.encoder.NativeMemory;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code contraflow} command line. */
@Command(
    name = "contraflow",
    mixinStandardHelpOptions = true,
    versionProvider = Contraflow.Version.class,
    description = "Online contrastive representation learning from streams.",
    subcommands = {DemoCommand.class, LearnCommand.class, ServeCommand.class, EvalCommand.class,
        BackfillCommand.class, TrainCommand.class, EmbedCommand.class, BenchCommand.class})
public final class Contraflow implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    NativeMemory.configure(); // before anything loads ND4J: `java -jar` users pass no flags
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (0 ok, 1 failure, 2 bad arguments). */
  public static int run(String... args) {
    return run(new PrintWriter(System.err, true), args);
  }

  /** As {@link #run(String...)}, with errors and usage messages written to {@code err}. */
  public static int run(PrintWriter err, String... args) {
    return run(new PrintWriter(System.out, true), err, args);
  }

  /** As {@link #run(String...)}, with results to {@code out} and errors to {@code err}. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return new CommandLine(new Contraflow())
        .setOut(out)
        .setErr(err)
        .setExecutionExceptionHandler(Contraflow::reportFailure)
        .execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** A user's mistake gets one clear line, not a stack trace (set CONTRAFLOW_DEBUG=1 for one). */
  private static int reportFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    String what = e.getMessage() == null ? e.toString() : e.getMessage();
    cmd.getErr().println("contraflow " + cmd.getCommandName() + ": error: " + what);
    if (System.getenv("CONTRAFLOW_DEBUG") != null) {
      e.printStackTrace(cmd.getErr());
    }
    return 1;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Contraflow.class.getPackage().getImplementationVersion();
      return new String[] {"contraflow " + (v == null ? "dev" : v)};
    }
  }
}
