package dev.r1.cli;

import dev.r1.model.bench.ModelBench;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "bench",
    description =
        "Measure training tokens/s (batch 32 x 64, forward + backward + AdamW), KV-cache decode"
            + " tokens/s (batch 64, prompt 16, 128 new) and resident memory over the run.")
final class BenchCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--steps", defaultValue = "100", description = "measured training steps")
  int steps;

  @Option(names = "--decode-rounds", defaultValue = "3")
  int decodeRounds;

  @Option(
      names = "--decode-threads",
      defaultValue = "1",
      description =
          "libtorch intra-op threads while decoding (0: the engine's count, as training uses);"
              + " a decode step's operators are small, so one thread is often fastest")
  int decodeThreads;

  @Option(
      names = "--config",
      defaultValue = "both",
      description = "small (hidden 128, 4 layers), large (hidden 512, 8 layers) or both")
  String config;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    List<ModelBench.Result> results = new ArrayList<>();
    if (!config.equals("large")) {
      results.add(
          ModelBench.run(
              "small", ModelBench.small(), steps, decodeRounds, decodeThreads, out::println));
    }
    if (!config.equals("small")) {
      results.add(
          ModelBench.run(
              "large",
              ModelBench.large(),
              Math.max(3, steps / 20),
              1,
              decodeThreads,
              out::println));
    }
    out.printf(
        "decode runs on %s intra-op thread(s); training on the engine's %d%n",
        decodeThreads == 0 ? "the engine's" : String.valueOf(decodeThreads),
        ai.djl.pytorch.jni.JniUtils.getNumThreads());
    out.printf(
        "%-6s %12s %14s %14s %10s %10s %10s %10s%n",
        "config",
        "params",
        "train tok/s",
        "decode tok/s",
        "rss start",
        "rss warm",
        "rss end",
        "rss peak");
    for (ModelBench.Result r : results) {
      out.printf(
          "%-6s %,12d %,14.0f %,14.0f %8.0fMB %8.0fMB %8.0fMB %8.0fMB%n",
          r.name(),
          r.parameters(),
          r.trainTokensPerSecond(),
          r.decodeTokensPerSecond(),
          r.rssStartMb(),
          r.rssWarmMb(),
          r.rssEndMb(),
          r.rssPeakMb());
    }
    out.println(
        "rss warm: after the first tenth of the training steps (JVM heap touched, C allocator"
            + " arenas grown); growth from warm to end is what a leak would show");
    out.flush();
    return 0;
  }
}
