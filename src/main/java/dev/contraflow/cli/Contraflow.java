package dev.contraflow.cli;

import dev.contraflow.encoder.NativeMemory;
import dev.contraflow.encoder.NativeThreads;
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
        BackfillCommand.class, ProduceCommand.class, TrainCommand.class, EmbedCommand.class,
        BenchCommand.class})
public final class Contraflow implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    ConsoleLog.nameFile(args); // before anything logs: log4j2.properties reads the name
    ConsoleLog.sayEachWarningOnce();
    NativeMemory.configure(); // before anything loads ND4J: `java -jar` users pass no flags
    NativeThreads.configure(); // nor the launcher's environment
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
    CommandLine commandLine = EnumChoice.install(new CommandLine(new Contraflow()));
    CommandLine.IParameterExceptionHandler usage = commandLine.getParameterExceptionHandler();
    return commandLine
        .setOut(out)
        .setErr(err)
        .setParameterExceptionHandler((e, rest) -> e.getCause()
            instanceof CommandLine.TypeConversionException
            ? reportInvalidValue(e) : usage.handleParseException(e, rest))
        .setExecutionExceptionHandler(Contraflow::reportFailure)
        .execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /**
   * A value that does not convert (a choice that names no constant, a word where a number goes) is
   * one line saying what the choices are, not the whole usage page: {@code --help} shows that.
   * Missing and unknown options keep picocli's usage page, which lists what is required.
   */
  private static int reportInvalidValue(CommandLine.ParameterException e) {
    CommandLine cmd = e.getCommandLine();
    cmd.getErr().println(qualifiedName(cmd) + ": error: " + e.getMessage()
        + " (see " + qualifiedName(cmd) + " --help)");
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }

  private static String qualifiedName(CommandLine cmd) {
    return cmd.getParent() == null ? cmd.getCommandName()
        : qualifiedName(cmd.getParent()) + " " + cmd.getCommandName();
  }

  /** A user's mistake gets one clear line, not a stack trace (set CONTRAFLOW_DEBUG=1 for one). */
  private static int reportFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    String what = e.getMessage() == null ? e.toString() : e.getMessage();
    cmd.getErr().println(qualifiedName(cmd) + ": error: " + what + ConsoleLog.details());
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
