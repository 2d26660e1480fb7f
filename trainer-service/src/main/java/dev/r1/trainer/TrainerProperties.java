package dev.r1.trainer;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The trainer-service's settings ({@code r1.trainer.*}).
 *
 * @param workDir where jobs keep downloaded base models, published versions and checkpoints
 * @param policyServiceUrl base URL of the policy-service (weights are registered there)
 * @param device auto, cpu or gpu: where the GRPO update runs (auto picks the GPU when DJL sees one)
 * @param maxConcurrentJobs jobs trained at once (updates are serialised: one gradient collector per
 *     JVM)
 * @param groupWaitTimeout how long a step waits for scored groups before it re-publishes the
 *     missing prompts
 * @param createTopics create the contract's topics at startup (off when operators own them)
 * @param consumerGroup the consumer group of the trainer's scored-group and job consumers
 */
@ConfigurationProperties("r1.trainer")
public record TrainerProperties(
    @DefaultValue("runs/trainer") Path workDir,
    @DefaultValue("http://localhost:8081") String policyServiceUrl,
    @DefaultValue("auto") String device,
    @DefaultValue("1") int maxConcurrentJobs,
    @DefaultValue("120s") Duration groupWaitTimeout,
    @DefaultValue("true") boolean createTopics,
    @DefaultValue("r1-trainer") String consumerGroup) {}
