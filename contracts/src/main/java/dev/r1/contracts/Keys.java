package dev.r1.contracts;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The record keys of every R1 topic. Keys are UTF-8 strings (Kafka's {@code StringSerializer}).
 *
 * <ul>
 *   <li>Group-scoped topics ({@link Topics#PROMPTS}, {@link Topics#SAMPLED_GROUPS}, {@link
 *       Topics#SCORED_GROUPS}): {@code jobId + ":" + groupId}. The prompt task, the sampled group
 *       and the scored group of one group share a key, so each lands in the same partition number
 *       of its topic, in order, and all messages of a group are handled by one consumer.
 *   <li>Job-scoped topics ({@link Topics#TRAINING_BATCHES}, {@link Topics#POLICY_PUBLISHED}, {@link
 *       Topics#JOB_EVENTS}): {@code jobId}, so a job's batches, policy versions and events stay
 *       ordered (and the compacted policy topic keeps the newest version per job).
 *   <li>Dead-letter topics: the original record's key.
 * </ul>
 *
 * Job ids cannot contain {@code ':'} (see {@link PromptTask#jobId()}), so {@link #jobIdOf} can
 * always split a key.
 */
public final class Keys {

  /** Separates the job id from the group id in group keys. */
  public static final String SEPARATOR = ":";

  private Keys() {}

  /** The key of a group-scoped record: {@code jobId:groupId}. */
  public static String group(String jobId, String groupId) {
    Require.jobId("Keys", jobId);
    Require.nonBlank("Keys", "groupId", groupId);
    return jobId + SEPARATOR + groupId;
  }

  /** The key of a job-scoped record: the job id itself. */
  public static String job(String jobId) {
    return Require.jobId("Keys", jobId);
  }

  /**
   * {@code jobId:groupId}, with the group id the sampler will use ({@link
   * PromptTask#resolvedGroupId()}).
   */
  public static String of(PromptTask task) {
    return group(task.jobId(), task.resolvedGroupId());
  }

  /** {@code jobId:groupId}: the same key as the group's prompt task. */
  public static String of(SampledGroup group) {
    return group(group.jobId(), group.groupId());
  }

  /** {@code jobId:groupId}: the same key as the group's prompt task and sampled group. */
  public static String of(ScoredGroup scored) {
    return group(scored.jobId(), scored.groupId());
  }

  /** {@code jobId}. */
  public static String of(TrainingBatch batch) {
    return job(batch.jobId());
  }

  /** {@code jobId}. */
  public static String of(PolicyPublished policy) {
    return job(policy.jobId());
  }

  /** {@code jobId}. */
  public static String of(JobEvent event) {
    return job(event.jobId());
  }

  /** {@code jobId}. */
  public static String of(JobSubmitted job) {
    return job(job.jobId());
  }

  /** The original record's key (may be null). */
  public static String of(DeadLetter deadLetter) {
    return deadLetter.key();
  }

  /** The key of any message type of this package. */
  public static String of(VersionedMessage message) {
    if (message instanceof PromptTask) {
      return of((PromptTask) message);
    } else if (message instanceof SampledGroup) {
      return of((SampledGroup) message);
    } else if (message instanceof ScoredGroup) {
      return of((ScoredGroup) message);
    } else if (message instanceof TrainingBatch) {
      return of((TrainingBatch) message);
    } else if (message instanceof PolicyPublished) {
      return of((PolicyPublished) message);
    } else if (message instanceof JobEvent) {
      return of((JobEvent) message);
    } else if (message instanceof JobSubmitted) {
      return of((JobSubmitted) message);
    } else if (message instanceof DeadLetter) {
      return of((DeadLetter) message);
    }
    throw new IllegalArgumentException(
        "no key rule for message type " + message.getClass().getName());
  }

  /** The job id at the start of a key, or null if the key is null or does not start with one. */
  public static String jobIdOf(String key) {
    if (key == null) {
      return null;
    }
    int sep = key.indexOf(SEPARATOR);
    String candidate = sep < 0 ? key : key.substring(0, sep);
    return Require.JOB_ID.matcher(candidate).matches() ? candidate : null;
  }

  /**
   * The partition Kafka's default partitioner picks for this key among {@code numPartitions}
   * (murmur2 of the UTF-8 key, as the Java producer does for keyed records without an explicit
   * partition).
   */
  public static int partition(String key, int numPartitions) {
    if (numPartitions < 1) {
      throw new IllegalArgumentException("numPartitions must be >= 1 but was " + numPartitions);
    }
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % numPartitions;
  }
}
