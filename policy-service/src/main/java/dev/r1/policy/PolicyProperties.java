package dev.r1.policy;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the policy-service ({@code r1.policy.*}).
 *
 * @param storeDir the directory holding {@code models/<name>/} and {@code jobs/<jobId>/v<n>/}
 * @param builtinTinyModel whether to create the {@code tiny-random} base model on startup when it
 *     is absent
 * @param publicBaseUrl the URL other services reach this one at (e.g. {@code
 *     http://policy-service:8081}); when blank, the base URL of the registering request is used
 * @param allowLocalPath whether a version may be registered from a directory on this host (the
 *     trainer on the same machine); off by default
 * @param createTopics whether to create the policy-published topic (and its DLT) on startup
 * @param topicReplicas replication factor of the topics created here
 * @param retainVersions how many of a job's newest versions stay stored; older ones are deleted
 *     when a new one is registered, except the newest version the trainer marked as a checkpoint. 0
 *     keeps every version
 */
@ConfigurationProperties("r1.policy")
public record PolicyProperties(
    @DefaultValue("./runs/policy-store") Path storeDir,
    @DefaultValue("true") boolean builtinTinyModel,
    String publicBaseUrl,
    @DefaultValue("false") boolean allowLocalPath,
    @DefaultValue("true") boolean createTopics,
    @DefaultValue("1") int topicReplicas,
    @DefaultValue("5") int retainVersions) {

  public PolicyProperties {
    if (retainVersions < 0) {
      throw new IllegalArgumentException(
          "r1.policy.retain-versions must be >= 0 (0 keeps every version) but was "
              + retainVersions);
    }
  }
}
