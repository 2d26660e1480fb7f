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
   * Scores a group.
   *
   * @throws InvalidRewardSpecException if the group's reward spec is invalid
   */
  public ScoredGroup score(SampledGroup group) {
    long t0 = System.nanoTime();
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
    RunnerCache.Result result = cache.score(spec.spec(), spec.path(), inputs);
    metrics.batch(result.scores());
    List<CompletionScore> scores = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      scores.add(
          completionScore(
              group.completions().get(i).completionId(), result.spec(), result.scores().get(i)));
    }
    long millis = (System.nanoTime() - t0) / 1_000_000;
    ScoredGroup scored =
        new ScoredGroup(
            ScoredGroup.SCHEMA_VERSION,
            group.jobId(),
            group.groupId(),
            group,
            scores,
            instance,
            millis);
    log.debug(
        "Scored group {} of job {} (policy version {}, {} completions) in {} ms with spec from {}.",
        group.groupId(),
        group.jobId(),
        group.policyVersion(),
        scores.size(),
        millis,
        spec.path());
    return scored;
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
