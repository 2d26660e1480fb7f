package dev.r1.model.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelConfig;
import dev.r1.model.TokenScores;
import dev.r1.model.generate.Completion;
import dev.r1.model.generate.Generator;
import dev.r1.model.generate.SamplingParams;
import dev.r1.model.train.AdamW;
import dev.r1.model.train.NextTokenLoss;
import dev.r1.model.train.OptimizerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Throughput of the model library on this machine: training tokens/s (forward + backward + AdamW)
 * and KV-cache decode tokens/s, plus resident memory over many training steps.
 */
public final class ModelBench {

  /**
   * One measured configuration.
   *
   * @param rssStartMb resident memory after the three untimed warm-up steps
   * @param rssWarmMb resident memory after the first tenth of the measured steps: by then the JVM
   *     has touched its heap and the C allocator has grown its arenas to the working set, so growth
   *     from here to {@code rssEndMb} is what a leak would show
   * @param rssEndMb resident memory after the last training step
   * @param rssPeakMb the highest of the samples taken every tenth of the steps
   */
  public record Result(
      String name,
      long parameters,
      double trainTokensPerSecond,
      double decodeTokensPerSecond,
      double rssStartMb,
      double rssWarmMb,
      double rssEndMb,
      double rssPeakMb,
      int trainSteps,
      int decodeThreads) {}

  private ModelBench() {}

  /** The small benchmark config: vocab 512, hidden 128, 4 layers, 4 heads, 2 kv, MLP 384. */
  public static ModelConfig small() {
    return config(128, 4, 4, 2, 384);
  }

  /** The larger benchmark config: hidden 512, 8 layers (8 heads, 4 kv, MLP 1536). */
  public static ModelConfig large() {
    return config(512, 8, 8, 4, 1536);
  }

  static ModelConfig config(int hidden, int layers, int heads, int kv, int mlp) {
    return new ModelConfig(
        "qwen2",
        512,
        hidden,
        mlp,
        layers,
        heads,
        kv,
        hidden / heads,
        1e-6,
        10000,
        null,
        true,
        true,
        false,
        1024,
        1,
        List.of(2),
        "float32");
  }

  /** Runs the benchmark, decoding with the engine's intra-op thread count. */
  public static Result run(
      String name, ModelConfig config, int trainSteps, int decodeRounds, Consumer<String> log) {
    return run(name, config, trainSteps, decodeRounds, 0, log);
  }

  /**
   * Runs the benchmark.
   *
   * @param trainSteps measured training steps (after 3 warmup steps)
   * @param decodeRounds measured decode rounds (after 1 warmup round)
   * @param decodeThreads libtorch intra-op threads while decoding (0: the engine's count)
   */
  public static Result run(
      String name,
      ModelConfig config,
      int trainSteps,
      int decodeRounds,
      int decodeThreads,
      Consumer<String> log) {
    int batch = 32;
    int seq = 64;
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(config, 1, root, DataType.FLOAT32)) {
      model.enableGradients();
      SplittableRandom r = new SplittableRandom(5);
      int[][] ids = new int[batch][seq];
      int[][] mask = new int[batch][seq];
      for (int i = 0; i < batch; i++) {
        for (int j = 0; j < seq; j++) {
          ids[i][j] = r.nextInt(config.vocabSize());
          mask[i][j] = 1;
        }
      }
      double[] lossMask = new double[batch * (seq - 1)];
      java.util.Arrays.fill(lossMask, 1);
      double rssStart = 0;
      double rssWarm = 0;
      double rssPeak = 0;
      int warmSteps = Math.max(1, trainSteps / 10);
      double trainTps;
      try (AdamW opt = new AdamW(model.parameters(), OptimizerConfig.defaults(), root)) {
        for (int i = 0; i < 3; i++) {
          trainStep(model, opt, root, ids, mask, lossMask);
        }
        rssStart = rssMb();
        long t0 = System.nanoTime();
        for (int i = 0; i < trainSteps; i++) {
          double loss = trainStep(model, opt, root, ids, mask, lossMask);
          if ((i + 1) % warmSteps == 0) {
            double rss = rssMb();
            rssPeak = Math.max(rssPeak, rss);
            if (i + 1 == warmSteps) {
              rssWarm = rss;
            }
          }
          if (log != null && (i + 1) % warmSteps == 0) {
            log.accept(
                String.format(
                    "%s: training step %d of %d, loss %.4f, rss %.0f MB",
                    name, i + 1, trainSteps, loss, rssMb()));
          }
        }
        trainTps = (double) trainSteps * batch * seq / ((System.nanoTime() - t0) / 1e9);
      }
      double rssEnd = rssMb();
      rssPeak = Math.max(rssPeak, rssEnd);

      Generator gen = new Generator(model, 0).withIntraOpThreads(decodeThreads);
      int decodeBatch = 64;
      int promptLen = 16;
      int newTokens = 128;
      List<int[]> prompts = new ArrayList<>();
      for (int i = 0; i < decodeBatch; i++) {
        int[] p = new int[promptLen];
        for (int j = 0; j < promptLen; j++) {
          p[j] = 3 + r.nextInt(config.vocabSize() - 3);
        }
        prompts.add(p);
      }
      // no stop ids: every row generates all 128 tokens
      SamplingParams params = new SamplingParams(newTokens, 1.0, 0, 1.0, 7, Set.of());
      gen.generate(root, prompts, params);
      long generated = 0;
      long t0 = System.nanoTime();
      for (int i = 0; i < decodeRounds; i++) {
        for (Completion c : gen.generate(root, prompts, params)) {
          generated += c.tokens().length;
        }
      }
      double decodeTps = generated / ((System.nanoTime() - t0) / 1e9);
      return new Result(
          name,
          config.parameterCount(),
          trainTps,
          decodeTps,
          rssStart,
          rssWarm,
          rssEnd,
          rssPeak,
          trainSteps,
          decodeThreads);
    }
  }

  private static double trainStep(
      CausalLm model, AdamW opt, NDManager root, int[][] ids, int[][] mask, double[] lossMask) {
    double loss;
    try (NDManager step = root.newSubManager();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      TokenScores s = TokenScores.compute(model, step, ids, mask, 1.0, false);
      NDArray l = NextTokenLoss.compute(step, s.logprobs(), lossMask);
      gc.backward(l);
      loss = l.getFloat();
    }
    opt.step(1e-3);
    return loss;
  }

  /** Resident set size of this process in MB (Linux), or 0 where unknown. */
  public static double rssMb() {
    try {
      for (String line :
          java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /** Prints the small and large benchmark; args: [trainSteps] [decodeRounds]. */
  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    for (Result res :
        List.of(
            run("small", small(), steps, rounds, System.out::println),
            run("large", large(), Math.max(3, steps / 10), 1, System.out::println))) {
      System.out.printf(
          "%s (%,d params): train %.0f tokens/s, decode %.0f tokens/s, rss %.0f -> %.0f (after"
              + " warm-up) -> %.0f MB over %d steps%n",
          res.name(),
          res.parameters(),
          res.trainTokensPerSecond(),
          res.decodeTokensPerSecond(),
          res.rssStartMb(),
          res.rssWarmMb(),
          res.rssEndMb(),
          res.trainSteps());
    }
  }
}
