package dev.r1.sampler.generation;

import ai.djl.ndarray.NDManager;
import dev.r1.contracts.Completion;
import dev.r1.contracts.FinishReason;
import dev.r1.contracts.GenerationTimings;
import dev.r1.contracts.PromptTask;
import dev.r1.contracts.SampledGroup;
import dev.r1.model.generate.Generator;
import dev.r1.model.generate.SamplingParams;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.sampler.SamplerProperties;
import dev.r1.sampler.policy.JobPolicyFetcher;
import dev.r1.sampler.policy.LoadedPolicy;
import dev.r1.sampler.policy.PolicyLease;
import dev.r1.sampler.policy.PolicyRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Generates the groups of a batch of prompt tasks. Tasks are grouped by the policy version that
 * serves them and by decoding parameters; each such set runs as one batched generation with every
 * prompt repeated G times. A seeded task's rows draw from the random streams they would have had
 * generated alone (row g of a task with seed s uses {@code Generator.stream(s, g)}), so batching
 * changes its group only through floating-point noise of the batched forward pass. Behaviour
 * log-probs are the temperature-scaled log-softmax without top-k/top-p truncation: what the trainer
 * recomputes.
 */
@Component
class GroupSampler {

  private static final Logger log = LoggerFactory.getLogger(GroupSampler.class);

  /** One task's outcome: a group, or the failure that prevented it. */
  record Result(PromptTask task, SampledGroup group, Exception failure) {}

  private final PolicyRegistry registry;
  private final JobPolicyFetcher fetcher;
  private final NDManager manager;
  private final PromptRenderer renderer;
  private final SamplerMetrics metrics;
  private final String instanceId;
  private final int intraOpThreads;

  GroupSampler(
      PolicyRegistry registry,
      JobPolicyFetcher fetcher,
      NDManager samplerNdManager,
      SamplerProperties properties,
      SamplerMetrics metrics) {
    this.registry = registry;
    this.fetcher = fetcher;
    this.manager = samplerNdManager;
    this.renderer = new PromptRenderer(properties.textPrompts());
    this.metrics = metrics;
    this.instanceId = properties.instanceId();
    this.intraOpThreads = properties.intraOpThreads();
  }

  /** Samples every task; the results are in task order. */
  List<Result> sample(List<PromptTask> tasks) {
    Map<PromptTask, Result> results = new IdentityHashMap<>();
    Map<LoadedPolicy, List<PromptTask>> byPolicy = new LinkedHashMap<>();
    List<PolicyLease> leases = new ArrayList<>();
    Map<PromptTask, Rendered> early = renderEarly(tasks);
    try {
      Map<LoadedPolicy, PolicyLease> leaseOf = new IdentityHashMap<>();
      for (PromptTask t : tasks) {
        try {
          fetcher.ensureLoaded(t.jobId());
          PolicyLease lease = registry.acquire(t.jobId(), t.requestedPolicyVersion());
          LoadedPolicy p = lease.policy();
          if (leaseOf.containsKey(p)) {
            lease.close(); // one lease per version per batch is enough
          } else {
            leaseOf.put(p, lease);
            leases.add(lease);
          }
          byPolicy.computeIfAbsent(p, k -> new ArrayList<>()).add(t);
        } catch (RuntimeException e) {
          results.put(t, new Result(t, null, e));
        }
      }
      for (Map.Entry<LoadedPolicy, List<PromptTask>> e : byPolicy.entrySet()) {
        sampleWith(e.getKey(), e.getValue(), early, results);
      }
    } finally {
      leases.forEach(PolicyLease::close);
    }
    return tasks.stream().map(results::get).toList();
  }

  /** A task's prompt ids and the tokenizer files they were rendered with. */
  private record Rendered(Object tokenizerFiles, int[] ids) {}

  /**
   * Renders, with the newest loaded version of their job, the tasks that ask for a version not
   * loaded yet: an on-policy trainer's prompts arrive before the version they ask for, and chat
   * template rendering (~0.5 ms a prompt) then happens while the sampler waits instead of after.
   * The ids are used only if the version that samples the task reads the same tokenizer files.
   */
  private Map<PromptTask, Rendered> renderEarly(List<PromptTask> tasks) {
    Map<PromptTask, Rendered> early = new IdentityHashMap<>();
    Map<String, PolicyLease> newest = new LinkedHashMap<>();
    try {
      for (PromptTask t : tasks) {
        Long requested = t.requestedPolicyVersion();
        if (requested == null) {
          continue;
        }
        List<Long> loaded = registry.loadedVersions(t.jobId());
        if (loaded.isEmpty() || loaded.get(loaded.size() - 1) >= requested) {
          continue; // nothing to wait for, or nothing loaded to render with
        }
        PolicyLease lease = newest.computeIfAbsent(t.jobId(), j -> registry.acquire(j, null));
        Object files = lease.policy().tokenizerFiles();
        if (files != null) {
          early.put(t, new Rendered(files, renderer.render(t, lease.policy().tokenizer())));
        }
      }
    } catch (RuntimeException e) {
      log.debug("Rendering prompts ahead of their policy version failed: {}", e.toString());
    } finally {
      newest.values().forEach(PolicyLease::close);
    }
    return early;
  }

  private void sampleWith(
      LoadedPolicy policy,
      List<PromptTask> tasks,
      Map<PromptTask, Rendered> early,
      Map<PromptTask, Result> out) {
    Map<PromptTask, int[]> prompts = new IdentityHashMap<>();
    Map<Object, List<PromptTask>> sets = new LinkedHashMap<>();
    for (PromptTask t : tasks) {
      try {
        Rendered r = early.get(t);
        prompts.put(
            t,
            r != null && r.tokenizerFiles().equals(policy.tokenizerFiles())
                ? r.ids()
                : renderer.render(t, policy.tokenizer()));
      } catch (RuntimeException e) {
        out.put(t, new Result(t, null, e));
        continue;
      }
      dev.r1.contracts.SamplingParams sp = t.samplingParams();
      Object key = List.of(sp.temperature(), sp.topP(), sp.topK(), sp.maxNewTokens());
      sets.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
    }
    for (List<PromptTask> set : sets.values()) {
      try {
        generate(policy, set, prompts, out);
      } catch (RuntimeException e) {
        log.error(
            "Generation failed for {} tasks of job {} with {}: {}",
            set.size(),
            set.get(0).jobId(),
            policy,
            e.toString());
        set.forEach(t -> out.put(t, new Result(t, null, e)));
      }
    }
  }

  private void generate(
      LoadedPolicy policy,
      List<PromptTask> set,
      Map<PromptTask, int[]> prompts,
      Map<PromptTask, Result> out) {
    Tokenizer tokenizer = policy.tokenizer();
    dev.r1.contracts.SamplingParams sp = set.get(0).samplingParams();
    Set<Integer> stopIds = new HashSet<>();
    for (int id : tokenizer.stopTokenIds()) {
      stopIds.add(id);
    }
    long unseeded = ThreadLocalRandom.current().nextLong();
    SamplingParams params =
        new SamplingParams(
            sp.maxNewTokens(), sp.temperature(), sp.topK(), sp.topP(), unseeded, stopIds);
    List<int[]> rows = new ArrayList<>();
    List<Long> streams = new ArrayList<>();
    for (PromptTask t : set) {
      Long seed = t.samplingParams().seed();
      for (int g = 0; g < t.samplingParams().groupSize(); g++) {
        streams.add(
            Generator.stream(seed != null ? seed : unseeded, seed != null ? g : rows.size()));
        rows.add(prompts.get(t));
      }
    }
    long start = System.nanoTime();
    List<dev.r1.model.generate.Completion> generated;
    try (NDManager batch = manager.newSubManager()) {
      generated =
          new Generator(policy.model(), tokenizer.padTokenId())
              .withIntraOpThreads(intraOpThreads)
              .generate(batch, rows, params, streams.stream().mapToLong(Long::longValue).toArray());
    }
    long nanos = System.nanoTime() - start;
    long millis = nanos / 1_000_000;
    int row = 0;
    long total = 0;
    for (PromptTask t : set) {
      int g = t.samplingParams().groupSize();
      List<Completion> completions = new ArrayList<>(g);
      long groupTokens = 0;
      for (int i = 0; i < g; i++, row++) {
        Completion c = toContract(t, i, generated.get(row), tokenizer);
        completions.add(c);
        groupTokens += generated.get(row).tokens().length;
      }
      total += groupTokens;
      double tps = nanos > 0 ? groupTokens / (nanos / 1e9) : 0;
      try {
        out.put(
            t,
            new Result(
                t,
                new SampledGroup(
                    SampledGroup.SCHEMA_VERSION,
                    t.jobId(),
                    t.promptId(),
                    t.resolvedGroupId(),
                    policy.version(),
                    t,
                    prompts.get(t),
                    completions,
                    new GenerationTimings(millis, tps),
                    instanceId),
                null));
      } catch (RuntimeException e) {
        out.put(t, new Result(t, null, e));
      }
    }
    metrics.generated(total, nanos);
    log.debug(
        "Generated {} rows ({} tokens) with {} in {} ms.", rows.size(), total, policy, millis);
  }

  private static Completion toContract(
      PromptTask t, int index, dev.r1.model.generate.Completion c, Tokenizer tokenizer) {
    int[] tokens = c.tokens();
    float[] logprobs = c.scaledLogprobs();
    FinishReason reason = "stop".equals(c.finishReason()) ? FinishReason.STOP : FinishReason.LENGTH;
    int keep = StopStrings.cut(tokens, t.samplingParams().stop(), tokenizer);
    if (keep < tokens.length) {
      tokens = Arrays.copyOf(tokens, keep);
      logprobs = Arrays.copyOf(logprobs, keep);
      reason = FinishReason.STOP;
    }
    return new Completion(
        t.resolvedGroupId() + "/" + index,
        tokenizer.decode(tokens, true),
        tokens,
        logprobs,
        reason);
  }
}
