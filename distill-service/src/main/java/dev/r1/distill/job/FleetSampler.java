package dev.r1.distill.job;

import dev.r1.contracts.ChatMessage;
import dev.r1.contracts.Completion;
import dev.r1.contracts.CompletionScore;
import dev.r1.contracts.FinishReason;
import dev.r1.contracts.PromptTask;
import dev.r1.contracts.RewardComponent;
import dev.r1.contracts.SamplingParams;
import dev.r1.contracts.ScoredGroup;
import dev.r1.contracts.Topics;
import dev.r1.distill.DistillProperties;
import dev.r1.distill.messaging.Publisher;
import dev.r1.training.rejection.Candidate;
import dev.r1.training.task.TaskRow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Rejection sampling's sampling half through the fleet: publishes one {@link PromptTask} per prompt
 * (group size k) for a rejection-sampling job id, whose version 1 the caller registered with the
 * teacher's weights, and collects the {@link ScoredGroup}s the reward-service returns. Missing
 * groups are re-published after {@code group-wait-timeout}, three times at most.
 */
@Component
public class FleetSampler {

  private static final Logger log = LoggerFactory.getLogger(FleetSampler.class);

  /**
   * One sampling request.
   *
   * @param jobId the rejection-sampling job id (its version 1 holds the model to sample)
   * @param modelRef the model reference recorded as provenance
   * @param rows the prompts
   * @param k samples per prompt
   * @param rewardSpec the reward spec the reward-service applies
   */
  record Request(
      String jobId,
      String modelRef,
      List<TaskRow> rows,
      int k,
      double temperature,
      int maxNewTokens,
      long seed,
      Map<String, Object> rewardSpec) {}

  private final Publisher publisher;
  private final DistillProperties props;
  private final Map<String, BlockingQueue<ScoredGroup>> inboxes = new ConcurrentHashMap<>();

  FleetSampler(Publisher publisher, DistillProperties props) {
    this.publisher = publisher;
    this.props = props;
  }

  /** Whether a rejection-sampling job of this service waits for groups of {@code jobId}. */
  public boolean expects(String jobId) {
    return inboxes.containsKey(jobId);
  }

  public void deliver(ScoredGroup group) {
    BlockingQueue<ScoredGroup> q = inboxes.get(group.jobId());
    if (q != null) {
      q.add(group);
    }
  }

  /** Samples every row through the fleet and returns the scored completions as candidates. */
  List<Candidate> sample(Request r, BooleanSupplier cancelled) throws InterruptedException {
    BlockingQueue<ScoredGroup> inbox = new LinkedBlockingQueue<>();
    inboxes.put(r.jobId(), inbox);
    try {
      Map<String, PromptTask> outstanding = new LinkedHashMap<>();
      Map<String, TaskRow> rowOf = new LinkedHashMap<>();
      List<PromptTask> tasks = new ArrayList<>();
      for (int i = 0; i < r.rows().size(); i++) {
        TaskRow row = r.rows().get(i);
        PromptTask t = task(r, row, i, "rs-" + i);
        outstanding.put(t.groupId(), t);
        rowOf.put(t.groupId(), row);
        tasks.add(t);
      }
      publisher.sendAll(Topics.PROMPTS, tasks);
      log.info(
          "Job {} published {} prompts x {} samples for rejection sampling of {}.",
          r.jobId(),
          tasks.size(),
          r.k(),
          r.modelRef());
      List<Candidate> out = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      long deadline = System.nanoTime() + props.groupWaitTimeout().toNanos();
      int retries = 0;
      while (!outstanding.isEmpty()) {
        if (cancelled.getAsBoolean()) {
          throw new JobRun.CancelledException();
        }
        ScoredGroup g = inbox.poll(200, TimeUnit.MILLISECONDS);
        if (g == null) {
          if (System.nanoTime() > deadline) {
            if (++retries > 3) {
              throw new IllegalStateException(
                  outstanding.size()
                      + " of "
                      + tasks.size()
                      + " rejection-sampling groups of job "
                      + r.jobId()
                      + " never came back; are the sampler and reward services running?");
            }
            List<PromptTask> again = new ArrayList<>();
            for (PromptTask t : List.copyOf(outstanding.values())) {
              outstanding.remove(t.groupId());
              TaskRow row = rowOf.remove(t.groupId());
              PromptTask retry = task(r, row, (int) t.datasetRow(), t.groupId() + "r");
              outstanding.put(retry.groupId(), retry);
              rowOf.put(retry.groupId(), row);
              again.add(retry);
            }
            log.warn(
                "Job {} waited {} s for scored groups; re-publishing {} prompts.",
                r.jobId(),
                props.groupWaitTimeout().toSeconds(),
                again.size());
            publisher.sendAll(Topics.PROMPTS, again);
            deadline = System.nanoTime() + props.groupWaitTimeout().toNanos();
          }
          continue;
        }
        if (!seen.add(g.groupId()) || outstanding.remove(g.groupId()) == null) {
          continue; // a duplicate delivery or a group re-published meanwhile
        }
        out.addAll(candidates(r, rowOf.get(g.groupId()), g));
      }
      return out;
    } finally {
      inboxes.remove(r.jobId());
    }
  }

  private static PromptTask task(Request r, TaskRow row, int index, String groupId) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("reward_spec", r.rewardSpec());
    return new PromptTask(
        PromptTask.SCHEMA_VERSION,
        r.jobId(),
        row.promptId(),
        groupId,
        0,
        0,
        index,
        null,
        List.of(new ChatMessage("user", row.question())),
        row.answer(),
        metadata,
        null,
        new SamplingParams(
            r.k(),
            r.temperature(),
            1.0,
            0,
            r.maxNewTokens(),
            List.of(),
            Math.abs(r.seed() * 1_000_003L + groupId.hashCode())));
  }

  private static List<Candidate> candidates(Request r, TaskRow row, ScoredGroup g) {
    Map<String, CompletionScore> scores = new LinkedHashMap<>();
    for (CompletionScore s : g.scores()) {
      scores.put(s.completionId(), s);
    }
    List<Candidate> out = new ArrayList<>();
    for (Completion c : g.group().completions()) {
      CompletionScore s = scores.get(c.completionId());
      Map<String, Double> comps = new LinkedHashMap<>();
      for (RewardComponent rc : s.components()) {
        comps.put(rc.name(), rc.value());
      }
      out.add(
          new Candidate(
              row.promptId(),
              row.question(),
              row.answer(),
              c.text(),
              c.tokenIds().length,
              c.finishReason() == FinishReason.LENGTH,
              comps,
              s.total(),
              r.modelRef(),
              g.group().policyVersion()));
    }
    return out;
  }
}
