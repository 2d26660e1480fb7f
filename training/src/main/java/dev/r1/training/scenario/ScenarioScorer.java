package dev.r1.training.scenario;

import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardResult;
import dev.r1.reward.RewardRunner;
import dev.r1.training.grpo.LocalGrpoLoop;
import dev.r1.training.task.TaskRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * RL across scenarios: a step's completions are scored by rule rewards for reasoning prompts and by
 * a {@link RewardModel} for general prompts (rows {@code isGeneral} picks). A general completion's
 * total is {@code weight * score}, reported as the reward model's component.
 */
public final class ScenarioScorer implements LocalGrpoLoop.Scorer {

  private final RewardRunner reasoning;
  private final RewardModel general;
  private final Predicate<TaskRow> isGeneral;
  private final double weight;

  public ScenarioScorer(
      RewardRunner reasoning, RewardModel general, Predicate<TaskRow> isGeneral, double weight) {
    this.reasoning = reasoning;
    this.general = general;
    this.isGeneral = isGeneral;
    this.weight = weight;
  }

  /** Rows whose prompt id starts with {@code general:} are general prompts. */
  public static Predicate<TaskRow> byIdPrefix(String prefix) {
    return r -> r.promptId().startsWith(prefix);
  }

  @Override
  public List<RewardRunner.Scored> score(List<TaskRow> rows, List<RewardInput> inputs) {
    RewardRunner.Scored[] out = new RewardRunner.Scored[inputs.size()];
    List<Integer> ruleIdx = new ArrayList<>();
    List<Integer> modelIdx = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      (isGeneral.test(rows.get(i)) ? modelIdx : ruleIdx).add(i);
    }
    if (!ruleIdx.isEmpty()) {
      List<RewardRunner.Scored> s = reasoning.score(ruleIdx.stream().map(inputs::get).toList());
      for (int j = 0; j < ruleIdx.size(); j++) {
        out[ruleIdx.get(j)] = s.get(j);
      }
    }
    if (!modelIdx.isEmpty()) {
      long t0 = System.nanoTime();
      List<Double> s = general.score(modelIdx.stream().map(inputs::get).toList());
      long millis = (System.nanoTime() - t0) / 1_000_000;
      for (int j = 0; j < modelIdx.size(); j++) {
        double v = s.get(j);
        out[modelIdx.get(j)] =
            new RewardRunner.Scored(
                Map.of(
                    general.name(),
                    new RewardRunner.ComponentScore(v, RewardResult.Status.OK, "", millis)),
                weight * v,
                millis);
      }
    }
    return Arrays.asList(out);
  }
}
