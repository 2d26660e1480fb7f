package dev.r1.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code r1} command-line tool: scriptable access to models, rewards and benchmarks. */
@Command(
    name = "r1",
    mixinStandardHelpOptions = true,
    version = "r1 0.1.0",
    description = "Train and inspect reasoning models the DeepSeek-R1 way, from the command line.",
    subcommands = {
      DemoCommand.class,
      GenerateCommand.class,
      ScoreCommand.class,
      InspectCommand.class,
      BenchCommand.class,
      RewardCommand.class,
      TinyModelCommand.class,
      CommandLine.HelpCommand.class
    })
public final class R1Command implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    System.setProperty("OPT_OUT_TRACKING", "true");
    System.exit(newCommandLine().execute(args));
  }

  /** The configured command line (also used by tests). */
  public static CommandLine newCommandLine() {
    CommandLine cl = new CommandLine(new R1Command());
    cl.setExecutionExceptionHandler(
        (ex, line, parsed) -> {
          line.getErr().println("error: " + ex.getMessage());
          return 2;
        });
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
