package dev.r1.reward.service.scoring;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.r1.contracts.Json;
import dev.r1.contracts.PromptTask;
import dev.r1.reward.service.RewardServiceProperties;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Finds the reward spec of a sampled group. In order: the task's metadata entry {@value
 * #METADATA_KEY} (an object, or a JSON string of one), the job's entry in {@code
 * r1.reward.job-specs}, then {@code r1.reward.default-spec}. The configured specs are checked at
 * startup.
 */
@Component
public class SpecResolver {

  /** The task metadata key that carries a job's reward spec. */
  public static final String METADATA_KEY = "reward_spec";

  /** Where a task's own spec sits, as named in errors. */
  static final String METADATA_PATH = "task.metadata." + METADATA_KEY;

  private final Map<String, Object> defaultSpec;
  private final Map<String, Map<String, Object>> jobSpecs;

  /** A resolved spec and where it came from (for logs and errors). */
  public record Resolved(Map<String, Object> spec, String path) {}

  public SpecResolver(RewardServiceProperties props, RunnerCache cache) {
    this.defaultSpec = json(props.defaultSpec(), "r1.reward.default-spec");
    cache.parse(defaultSpec, "r1.reward.default-spec");
    Map<String, Map<String, Object>> jobs = new LinkedHashMap<>();
    props
        .jobSpecs()
        .forEach(
            (job, spec) -> {
              String path = "r1.reward.job-specs." + job;
              Map<String, Object> m = json(spec, path);
              cache.parse(m, path);
              jobs.put(job, m);
            });
    this.jobSpecs = Map.copyOf(jobs);
  }

  /** The configured default spec ({@code r1.reward.default-spec}). */
  public Map<String, Object> defaultSpec() {
    return defaultSpec;
  }

  /**
   * The spec for a task.
   *
   * @throws InvalidRewardSpecException if the task's own spec is not an object or JSON text of one
   */
  public Resolved resolve(PromptTask task) {
    Object own = task.metadata().get(METADATA_KEY);
    if (own instanceof Map<?, ?> m) {
      Map<String, Object> spec = new LinkedHashMap<>();
      m.forEach((k, v) -> spec.put(String.valueOf(k), v));
      return new Resolved(spec, METADATA_PATH);
    }
    if (own instanceof String s) {
      return new Resolved(json(s, METADATA_PATH), METADATA_PATH);
    }
    if (own != null) {
      throw new InvalidRewardSpecException(
          METADATA_PATH,
          METADATA_PATH
              + " must be an object (or JSON text of one) but was a "
              + own.getClass().getSimpleName());
    }
    Map<String, Object> job = jobSpecs.get(task.jobId());
    if (job != null) {
      return new Resolved(job, "r1.reward.job-specs." + task.jobId());
    }
    return new Resolved(defaultSpec, "r1.reward.default-spec");
  }

  private static Map<String, Object> json(String text, String path) {
    try {
      Map<String, Object> m =
          Json.mapper().readValue(text, new TypeReference<Map<String, Object>>() {});
      if (m == null) {
        throw new InvalidRewardSpecException(path, path + " must be a JSON object but was null");
      }
      return m;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidRewardSpecException(
          path, path + " is not a JSON object: " + e.getOriginalMessage());
    }
  }
}
