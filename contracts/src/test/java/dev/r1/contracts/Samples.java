package dev.r1.contracts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/** Builders of valid messages for the tests: a miniature prompt -> group -> score -> batch flow. */
final class Samples {

  static final String JOB = "job-42";

  private Samples() {}

  static PromptTask prompt(String promptId, String groupId, int groupSize) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("numbers", List.of(3, 7, 25));
    meta.put("target", 46);
    meta.put("source", "countdown");
    return new PromptTask(
        PromptTask.SCHEMA_VERSION,
        JOB,
        promptId,
        groupId,
        5,
        1,
        1234,
        "Using 3, 7, 25 make 46.",
        null,
        "46",
        meta,
        null,
        new SamplingParams(groupSize, 1.0, 0.95, 50, 512, List.of("</answer>"), 7L));
  }

  static PromptTask chatPrompt() {
    return new PromptTask(
        PromptTask.SCHEMA_VERSION,
        JOB,
        "gsm8k-17",
        null,
        0,
        0,
        17,
        null,
        List.of(new ChatMessage("system", "Think first."), new ChatMessage("user", "2+2?")),
        "4",
        null,
        3L,
        SamplingParams.r1Defaults(4, 256));
  }

  static Completion completion(String id, int tokens, long seed) {
    Random r = new Random(seed);
    int[] ids = new int[tokens];
    float[] lps = new float[tokens];
    for (int i = 0; i < tokens; i++) {
      ids[i] = r.nextInt(151_936);
      lps[i] = (float) Math.log(Math.max(1e-9, r.nextDouble()));
    }
    return new Completion(
        id,
        "<think>reasoning " + id + "</think><answer>46</answer>",
        ids,
        lps,
        tokens % 2 == 0 ? FinishReason.STOP : FinishReason.LENGTH);
  }

  static SampledGroup sampled(PromptTask task, long policyVersion, int tokens) {
    List<Completion> cs = new ArrayList<>();
    String gid = task.resolvedGroupId();
    for (int i = 0; i < task.samplingParams().groupSize(); i++) {
      cs.add(completion(gid + "/" + i, tokens + i, gid.hashCode() * 31L + i));
    }
    return new SampledGroup(
        SampledGroup.SCHEMA_VERSION,
        task.jobId(),
        task.promptId(),
        gid,
        policyVersion,
        task,
        new int[] {151644, 872, 198},
        cs,
        new GenerationTimings(1500, 345.5),
        "sampler-0");
  }

  static ScoredGroup scored(SampledGroup group) {
    List<CompletionScore> scores = new ArrayList<>();
    int i = 0;
    for (Completion c : group.completions()) {
      double acc = i % 2;
      scores.add(
          CompletionScore.weightedSum(
              c.completionId(),
              List.of(
                  new RewardComponent("accuracy", acc, 1.0, RewardStatus.OK, 3, "extracted 46"),
                  new RewardComponent(
                      "format", 0, 0.5, RewardStatus.TIMEOUT, 1000, "timed out after 1s"))));
      i++;
    }
    return new ScoredGroup(
        ScoredGroup.SCHEMA_VERSION, group.jobId(), group.groupId(), group, scores, "reward-1", 12);
  }

  static PolicyPublished policy(long version) {
    return new PolicyPublished(
        PolicyPublished.SCHEMA_VERSION,
        JOB,
        version,
        version * 10,
        "http://policy-service:8080/jobs/job-42/policies/" + version,
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        PolicyFormat.SAFETENSORS,
        1_234_567,
        Instant.parse("2025-01-02T03:04:05.678Z"));
  }

  static PolicyPublished policyWithFiles(long version) {
    PolicyPublished p = policy(version);
    return new PolicyPublished(
        p.schemaVersion(),
        p.jobId(),
        p.version(),
        p.step(),
        p.uri(),
        p.sha256(),
        PolicyFormat.HF_DIRECTORY,
        p.sizeBytes(),
        p.publishedAt(),
        List.of(
            new PolicyPublished.File("model.safetensors", p.sha256(), 1_230_000),
            new PolicyPublished.File(
                "config.json",
                "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
                4_567)));
  }

  static JobEvent event() {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("loss", 0.125);
    metrics.put("reward_mean", 0.5);
    metrics.put("kl", 1.5e-3);
    return new JobEvent(
        JobEvent.SCHEMA_VERSION,
        JOB,
        UUID.fromString("3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"),
        17,
        "trainer-service",
        JobEventType.STEP_METRICS,
        EventLevel.INFO,
        "step 5 done",
        metrics,
        5L,
        Instant.parse("2025-01-02T03:04:05Z"));
  }
}
