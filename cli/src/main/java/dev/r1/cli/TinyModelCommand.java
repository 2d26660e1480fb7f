package dev.r1.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelConfig;
import dev.r1.model.tokenizer.TinyTokenizerFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "tiny-model",
    description =
        "Write a tiny randomly initialised model folder (Qwen2 layout, byte-level tokenizer with"
            + " think/answer tags) that every command and job accepts.")
final class TinyModelCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true)
  Path out;

  @Option(names = "--hidden", defaultValue = "128")
  int hidden;

  @Option(names = "--layers", defaultValue = "4")
  int layers;

  @Option(names = "--heads", defaultValue = "4")
  int heads;

  @Option(names = "--kv-heads", defaultValue = "2")
  int kvHeads;

  @Option(names = "--seed", defaultValue = "0")
  long seed;

  @Override
  public Integer call() throws Exception {
    ModelConfig config =
        new ModelConfig(
            "qwen2",
            TinyTokenizerFactory.VOCAB_SIZE,
            hidden,
            hidden * 3,
            layers,
            heads,
            kvHeads,
            hidden / heads,
            1e-6,
            10000,
            null,
            true,
            true,
            false,
            1024,
            -1,
            List.of(TinyTokenizerFactory.SPECIAL_TOKENS.indexOf(TinyTokenizerFactory.IM_END)),
            "float32");
    try (NDManager root = NDManager.newBaseManager();
        CausalLm lm = CausalLm.random(config, seed, root, DataType.FLOAT32)) {
      lm.save(out);
    }
    TinyTokenizerFactory.write(out);
    spec.commandLine()
        .getOut()
        .printf(
            "wrote a %,d-parameter model to %s%n", config.parameterCount(), out.toAbsolutePath());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
