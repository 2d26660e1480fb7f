package dev.r1.reward.service.scoring;

import dev.r1.contracts.ChatMessage;
import dev.r1.contracts.Completion;
import dev.r1.contracts.CompletionScore;
import dev.r1.contracts.PromptTask;
import dev.r1.contracts.RewardComponent;
import dev.r1.contracts.RewardStatus;
import dev.r1.contracts.SampledGroup;
import dev.r1.contracts.ScoredGroup;
import dev.r1.reward.GroupRewardFunction;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardRunner;
import dev.r1.reward.RewardSpec;
import dev.r1.reward.service.RewardServiceProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Turns a {@link SampledGroup} into a {@link ScoredGroup}: resolves the job's reward spec, scores
 * every completion with the spec's runner (each call bounded in time) and records the metrics. The
 * same group always gets the same values, statuses and totals (times differ).
 */
@Component
public class GroupScorer {

  private static final Logger log = LoggerFactory.getLogger(GroupScorer.class);

  /** Longest component detail carried in a scored group. */
  static final int MAX_DETAIL_CHARS = 500;

  private final RunnerCache cache;
  private final SpecResolver specs;
  private final RewardMetrics metrics;
  private final String instance;

  public GroupScorer(
      RunnerCache cache, SpecResolver specs, RewardMetrics metrics, RewardServiceProperties props) {
    this.cache = cache;
    this.specs = specs;
    this.metrics = metrics;
    this.instance = props.instance().isBlank() ? hostName() : props.instance();
  }

  /** This worker's name in scored groups. */
  public String instance() {
    return instance;
  }

  /**
   * A group ready to be scored: its reward spec resolved and its completions turned into reward
   * inputs. Preparing is where a group with an invalid spec fails, so that a batch can stop at it.
   */
  public record Prepared(SampledGroup group, SpecResolver.Resolved spec, List<RewardInput> inputs) {
    public Prepared {
      inputs = List.copyOf(inputs);
    }
  }

  /**
   * Resolves a group's reward spec and builds its reward inputs.
   *
   * @throws InvalidRewardSpecException if the group's reward spec is invalid
   */
  public Prepared prepare(SampledGroup group) {
    PromptTask task = group.task();
    SpecResolver.Resolved spec = specs.resolve(task);
    String prompt = promptText(task);
    Map<String, Object> metadata = new LinkedHashMap<>(task.metadata());
    metadata.remove(SpecResolver.METADATA_KEY);
    metadata.put(GroupRewardFunction.GROUP_KEY, group.groupId());
    List<RewardInput> inputs = new ArrayList<>(group.completions().size());
    for (Completion c : group.completions()) {
      inputs.add(new RewardInput(prompt, c.text(), task.referenceAnswer(), metadata));
    }
    return new Prepared(group, spec, inputs);
  }

  /**
   * Scores a group.
   *
   * @throws InvalidRewardSpecException if the group's reward spec is invalid
   */
  public ScoredGroup score(SampledGroup group) {
    return score(List.of(prepare(group))).get(0);
  }

  /**
   * Scores prepared groups together: the completions of all groups that share a reward spec go to
   * its runner as one batch, so the runner's workers score them in parallel instead of one group
   * after the other (a sampler publishes a step's groups at once, and the trainer waits for the
   * last). Each scored group's {@code scoringMillis} is the time its batch took. Group reward
   * functions still see one group at a time (inputs carry their group id). The results are in the
   * order of {@code groups}.
   */
  public List<ScoredGroup> score(List<Prepared> groups) {
    long t0 = System.nanoTime();
    // one runner call per distinct spec, in order of first appearance
    Map<SpecResolver.Resolved, List<Integer>> bySpec = new LinkedHashMap<>();
    for (int i = 0; i < groups.size(); i++) {
      bySpec.computeIfAbsent(groups.get(i).spec(), k -> new ArrayList<>()).add(i);
    }
    RewardSpec[] parsed = new RewardSpec[groups.size()];
    List<List<RewardRunner.Scored>> perGroup = new ArrayList<>(groups.size());
    for (int i = 0; i < groups.size(); i++) {
      perGroup.add(null);
    }
    for (Map.Entry<SpecResolver.Resolved, List<Integer>> e : bySpec.entrySet()) {
      List<RewardInput> inputs = new ArrayList<>();
      for (int i : e.getValue()) {
        inputs.addAll(groups.get(i).inputs());
      }
      RunnerCache.Result result = cache.score(e.getKey().spec(), e.getKey().path(), inputs);
      metrics.batch(result.scores());
      int from = 0;
      for (int i : e.getValue()) {
        int n = groups.get(i).inputs().size();
        perGroup.set(i, result.scores().subList(from, from + n));
        parsed[i] = result.spec();
        from += n;
      }
    }
    long millis = (System.nanoTime() - t0) / 1_000_000;
    List<ScoredGroup> out = new ArrayList<>(groups.size());
    for (int i = 0; i < groups.size(); i++) {
      SampledGroup group = groups.get(i).group();
      List<CompletionScore> scores = new ArrayList<>(group.completions().size());
      for (int c = 0; c < group.completions().size(); c++) {
        scores.add(
            completionScore(
                group.completions().get(c).completionId(), parsed[i], perGroup.get(i).get(c)));
      }
      out.add(
          new ScoredGroup(
              ScoredGroup.SCHEMA_VERSION,
              group.jobId(),
              group.groupId(),
              group,
              scores,
              instance,
              millis));
    }
    log.debug(
        "Scored {} group(s) with {} reward spec(s) in {} ms.",
        groups.size(),
        bySpec.size(),
        millis);
    return out;
  }

  /** The contract form of one completion's scores, components in spec order. */
  public static CompletionScore completionScore(
      String completionId, RewardSpec spec, RewardRunner.Scored scored) {
    List<RewardComponent> components = new ArrayList<>(spec.rewards().size());
    for (RewardSpec.Component c : spec.rewards()) {
      RewardRunner.ComponentScore s = scored.components().get(c.name());
      components.add(
          new RewardComponent(
              c.name(),
              s.value(),
              c.weight(),
              RewardStatus.valueOf(s.status().name()),
              s.millis(),
              shortDetail(s.detail())));
    }
    return new CompletionScore(completionId, components, scored.total());
  }

  /** A detail cut to {@link #MAX_DETAIL_CHARS}. */
  public static String shortDetail(String detail) {
    if (detail == null) {
      return "";
    }
    return detail.length() <= MAX_DETAIL_CHARS
        ? detail
        : detail.substring(0, MAX_DETAIL_CHARS) + "... (" + detail.length() + " chars)";
  }

  /** The prompt as text: the plain prompt, or the chat turns' contents one per line. */
  static String promptText(PromptTask task) {
    if (task.prompt() != null) {
      return task.prompt();
    }
    StringBuilder sb = new StringBuilder();
    for (ChatMessage m : task.messages()) {
      if (sb.length() > 0) {
        sb.append('\n');
      }
      sb.append(m.content());
    }
    return sb.toString();
  }

  private static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "reward-service";
    }
  }
}
