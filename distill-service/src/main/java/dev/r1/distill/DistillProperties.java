package dev.r1.distill;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The distill-service's settings ({@code r1.distill.*}); Kafka comes from {@code spring.kafka.*}.
 *
 * @param dataDir where jobs keep downloaded models, written datasets, stage outputs and results
 * @param policyServiceUrl base URL of the policy-service (models are read and registered there)
 * @param consumerGroup the consumer group of the job, scored-group and job-event consumers
 * @param createTopics create the contract's topics at startup (off when operators own them)
 * @param groupWaitTimeout how long rejection sampling waits for scored groups before it
 *     re-publishes the missing prompts (three times, then the job fails)
 * @param childJobTimeout how long a pipeline waits without any event from a GRPO stage it started
 *     on the trainer-service before it fails
 * @param defaultPreset the pipeline preset when a job names none ({@code quick} or {@code default})
 */
@ConfigurationProperties("r1.distill")
public record DistillProperties(
    @DefaultValue("runs/distill") Path dataDir,
    @DefaultValue("http://localhost:8081") String policyServiceUrl,
    @DefaultValue("r1-distill") String consumerGroup,
    @DefaultValue("true") boolean createTopics,
    @DefaultValue("120s") Duration groupWaitTimeout,
    @DefaultValue("30m") Duration childJobTimeout,
    @DefaultValue("default") String defaultPreset) {}
