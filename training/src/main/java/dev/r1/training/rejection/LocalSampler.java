package dev.r1.training.rejection;

import ai.djl.ndarray.NDManager;
import dev.r1.model.CausalLm;
import dev.r1.model.generate.Completion;
import dev.r1.model.generate.Generator;
import dev.r1.model.generate.SamplingParams;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardRunner;
import dev.r1.training.task.ChatPrompts;
import dev.r1.training.task.TaskRow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rejection sampling's sampling half in one process: k completions per prompt from a model, scored
 * by a {@link RewardRunner}. (The distill-service does the same through the sampler and reward
 * fleet.)
 */
public final class LocalSampler {

  private final CausalLm model;
  private final Tokenizer tokenizer;
  private final ChatPrompts prompts;
  private final RewardRunner rewards;

  public LocalSampler(
      CausalLm model, Tokenizer tokenizer, ChatPrompts prompts, RewardRunner rewards) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.prompts = prompts;
    this.rewards = rewards;
  }

  /**
   * Samples {@code k} completions for every row.
   *
   * @param modelRef recorded as each candidate's model
   * @param batchSize completions generated together
   */
  public List<Candidate> sample(
      NDManager manager,
      List<TaskRow> rows,
      int k,
      double temperature,
      int maxNewTokens,
      long seed,
      int batchSize,
      String modelRef,
      long policyVersion) {
    Set<Integer> stops = new HashSet<>();
    for (int id : tokenizer.stopTokenIds()) {
      stops.add(id);
    }
    Generator generator = new Generator(model, tokenizer.padTokenId());
    List<int[]> inputs = new ArrayList<>(rows.size() * k);
    List<String> rendered = new ArrayList<>(rows.size());
    for (TaskRow r : rows) {
      String text = prompts.render(r.question());
      rendered.add(text);
      int[] ids = tokenizer.encode(text);
      for (int s = 0; s < k; s++) {
        inputs.add(ids);
      }
    }
    List<Completion> completions = new ArrayList<>(inputs.size());
    for (int i = 0, b = 0; i < inputs.size(); i += batchSize, b++) {
      SamplingParams params =
          new SamplingParams(maxNewTokens, temperature, 0, 1.0, seed * 1_000_003L + b, stops);
      completions.addAll(
          generator.generate(
              manager, inputs.subList(i, Math.min(inputs.size(), i + batchSize)), params));
    }
    List<RewardInput> scoring = new ArrayList<>(completions.size());
    List<String> texts = new ArrayList<>(completions.size());
    for (int i = 0; i < completions.size(); i++) {
      TaskRow row = rows.get(i / k);
      String text = tokenizer.decode(completions.get(i).tokens(), true);
      texts.add(text);
      scoring.add(new RewardInput(rendered.get(i / k), text, row.answer(), Map.of()));
    }
    List<RewardRunner.Scored> scores = rewards.score(scoring);
    List<Candidate> out = new ArrayList<>(completions.size());
    for (int i = 0; i < completions.size(); i++) {
      TaskRow row = rows.get(i / k);
      Completion c = completions.get(i);
      Map<String, Double> comps = new LinkedHashMap<>();
      scores.get(i).components().forEach((name, v) -> comps.put(name, v.value()));
      out.add(
          new Candidate(
              row.promptId(),
              row.question(),
              row.answer(),
              texts.get(i),
              c.tokens().length,
              "length".equals(c.finishReason()),
              comps,
              scores.get(i).total(),
              modelRef,
              policyVersion));
    }
    return out;
  }
}
