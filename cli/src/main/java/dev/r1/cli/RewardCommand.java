package dev.r1.cli;

import dev.r1.reward.RewardCli;
import dev.r1.reward.RewardRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "reward",
    description =
        "Score a JSONL file of completions ({completion, reference, prompt?, metadata?} per line)"
            + " with a reward spec, writing one JSON result per line.")
final class RewardCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--spec", required = true, description = "reward spec JSON file")
  Path specFile;

  @Option(names = "--input", required = true, description = "completions JSONL")
  Path input;

  @Option(names = "--output", description = "results JSONL (default: standard output)")
  Path output;

  @Option(names = "--threads", defaultValue = "2")
  int threads;

  @Override
  public Integer call() throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--spec",
                specFile.toString(),
                "--input",
                input.toString(),
                "--threads",
                Integer.toString(threads)));
    if (output != null) {
      args.add("--output");
      args.add(output.toString());
    }
    return RewardCli.run(
        args.toArray(String[]::new), RewardRegistry.builtins(), System.out, System.err);
  }
}
