package dev.r1.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1.model.CausalLm;
import dev.r1.model.TokenScores;
import dev.r1.model.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "score",
    description = "Print per-token log-probs and entropies of given token ids or text as JSON.")
final class ScoreCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "Hugging Face model folder")
  Path model;

  @ArgGroup(multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = "--ids", split = ",", description = "token ids, comma separated")
    List<Integer> ids;

    @Option(names = "--text", description = "text, encoded with the model's tokenizer")
    String text;
  }

  @Option(names = "--temperature", defaultValue = "1.0")
  double temperature;

  @Override
  public Integer call() throws Exception {
    int[] ids;
    Tokenizer tok = null;
    try {
      if (input.ids != null) {
        ids = input.ids.stream().mapToInt(Integer::intValue).toArray();
      } else {
        tok = Tokenizer.load(model);
        ids = tok.encode(input.text);
      }
      if (ids.length < 2) {
        throw new IllegalArgumentException("need at least 2 tokens to score, got " + ids.length);
      }
      try (NDManager root = NDManager.newBaseManager();
          CausalLm lm = CausalLm.load(model, root, DataType.FLOAT32)) {
        for (int i = 0; i < ids.length; i++) {
          if (ids[i] < 0 || ids[i] >= lm.config().vocabSize()) {
            throw new IllegalArgumentException(
                "token id "
                    + ids[i]
                    + " at position "
                    + i
                    + " is outside the vocabulary (size "
                    + lm.config().vocabSize()
                    + ")");
          }
        }
        int[][] batch = {ids};
        int[][] mask = {new int[ids.length]};
        Arrays.fill(mask[0], 1);
        TokenScores s = TokenScores.compute(lm, root, batch, mask, temperature, true);
        float[] lp = s.logprobs().toFloatArray();
        float[] ent = s.entropy().toFloatArray();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tokens", ids);
        if (tok != null) {
          String[] pieces = new String[ids.length];
          for (int i = 0; i < ids.length; i++) {
            pieces[i] = tok.decode(new int[] {ids[i]}, false);
          }
          out.put("pieces", pieces);
        }
        out.put("logprobs", lp);
        out.put("entropy", ent);
        double sum = 0;
        for (float v : lp) {
          sum += v;
        }
        out.put("sum_logprob", sum);
        out.put("perplexity", Math.exp(-sum / lp.length));
        spec.commandLine().getOut().println(Json.MAPPER.writeValueAsString(out));
        spec.commandLine().getOut().flush();
      }
      return 0;
    } finally {
      if (tok != null) {
        tok.close();
      }
    }
  }
}
