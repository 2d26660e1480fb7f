package dev.r1.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.model.generate.Completion;
import dev.r1.model.generate.Generator;
import dev.r1.model.generate.SamplingParams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every model folder under the fixtures matches the logits, token log-probs and greedy
 * continuations that an independent PyTorch implementation computed (see expected.json).
 */
class ReferenceLogitsTest {

  static Stream<Path> modelFolders() throws IOException {
    try (Stream<Path> s = Files.list(Fixtures.models())) {
      List<Path> folders =
          s.filter(p -> Files.isRegularFile(p.resolve("expected.json"))).sorted().toList();
      assertThat(folders).isNotEmpty();
      return folders.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modelFolders")
  void logitsLogprobsAndGreedyTokensMatchTheReference(Path folder) throws IOException {
    JsonNode expected = new ObjectMapper().readTree(folder.resolve("expected.json").toFile());
    int[][] ids = ints2(expected.get("input_ids"));
    int[][] mask = ints2(expected.get("attention_mask"));
    double logitTol = expected.path("tolerance").path("logits_abs").asDouble(2e-4);
    double lpTol = expected.path("tolerance").path("logprobs_abs").asDouble(2e-4);
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.load(folder, root, DataType.FLOAT32)) {
      int b = ids.length;
      int t = ids[0].length;
      int v = model.config().vocabSize();
      try (NDManager m = root.newSubManager()) {
        float[] logits = model.forward(m, ids, mask).toFloatArray();
        JsonNode exp = expected.get("logits");
        int compared = 0;
        for (int i = 0; i < b; i++) {
          for (int j = 0; j < t; j++) {
            if (mask[i][j] == 0) {
              continue;
            }
            for (int k = 0; k < v; k++) {
              double e = exp.get(i).get(j).get(k).asDouble();
              assertThat((double) logits[(i * t + j) * v + k])
                  .as("%s logits[%d][%d][%d]", folder.getFileName(), i, j, k)
                  .isCloseTo(e, org.assertj.core.data.Offset.offset(logitTol));
              compared++;
            }
          }
        }
        assertThat(compared).isGreaterThan(0);
        float[] lp = TokenScores.compute(model, m, ids, mask, 1.0, false).logprobs().toFloatArray();
        JsonNode expLp = expected.get("token_logprobs");
        for (int i = 0; i < b; i++) {
          for (int j = 0; j < t - 1; j++) {
            assertThat((double) lp[i * (t - 1) + j])
                .as("%s token_logprobs[%d][%d]", folder.getFileName(), i, j)
                .isCloseTo(
                    expLp.get(i).get(j).asDouble(), org.assertj.core.data.Offset.offset(lpTol));
          }
        }
      }
      // greedy continuation of each (unpadded) row
      List<int[]> prompts = new ArrayList<>();
      for (int i = 0; i < b; i++) {
        int start = 0;
        while (mask[i][start] == 0) {
          start++;
        }
        prompts.add(java.util.Arrays.copyOfRange(ids[i], start, t));
      }
      JsonNode greedy = expected.get("greedy_new_tokens");
      int n = greedy.get(0).size();
      List<Completion> out =
          new Generator(model, 0).generate(root, prompts, SamplingParams.greedy(n, Set.of()));
      for (int i = 0; i < b; i++) {
        assertThat(out.get(i).tokens())
            .as("%s greedy tokens of row %d", folder.getFileName(), i)
            .containsExactly(ints(greedy.get(i)));
      }
    }
  }

  static int[][] ints2(JsonNode n) {
    int[][] out = new int[n.size()][];
    for (int i = 0; i < n.size(); i++) {
      out[i] = ints(n.get(i));
    }
    return out;
  }

  static int[] ints(JsonNode n) {
    int[] out = new int[n.size()];
    for (int i = 0; i < n.size(); i++) {
      out[i] = n.get(i).asInt();
    }
    return out;
  }
}
