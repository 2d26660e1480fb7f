package dev.r1.gateway;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The gateway's settings ({@code r1.gateway.*}).
 *
 * @param bootstrapApiKey an API key (starting with {@code r1-}) registered, hashed, at startup for
 *     the local run; empty for none
 * @param bootstrapOwner the owner of the bootstrap key
 * @param dataDir where uploaded datasets are stored ({@code <dataDir>/datasets/<id>.jsonl})
 * @param modelsDir a directory whose sub-directories holding a {@code config.json} are models
 * @param builtinModels model names always available (the tiny models of the local run)
 * @param maxDatasetBytes the largest dataset upload; larger ones are answered 413
 * @param publishJobs whether accepted jobs and user requests are published to Kafka
 * @param builtinDatasets dataset ids every caller may name without uploading (the workers' built-in
 *     tasks, e.g. {@code builtin:arithmetic}, which the pipeline's cold start needs)
 */
@ConfigurationProperties("r1.gateway")
public record GatewayProperties(
    @DefaultValue("") String bootstrapApiKey,
    @DefaultValue("admin") String bootstrapOwner,
    @DefaultValue("./data/gateway") Path dataDir,
    @DefaultValue("./models") Path modelsDir,
    @DefaultValue("tiny-random") List<String> builtinModels,
    @DefaultValue("64MB") DataSize maxDatasetBytes,
    @DefaultValue("true") boolean publishJobs,
    @DefaultValue("builtin:arithmetic") List<String> builtinDatasets) {}
