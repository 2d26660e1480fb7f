package dev.r1.policy.web;

import dev.r1.policy.PolicyProperties;
import dev.r1.policy.storage.Manifest;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** Builds the absolute URLs this service hands out (manifests and files). */
@Component
class Links {

  private final PolicyProperties properties;

  Links(PolicyProperties properties) {
    this.properties = properties;
  }

  String base() {
    String configured = properties.publicBaseUrl();
    if (configured != null && !configured.isBlank()) {
      return configured.endsWith("/")
          ? configured.substring(0, configured.length() - 1)
          : configured;
    }
    return ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
  }

  String versionManifest(String jobId, long version) {
    return base() + "/v1/jobs/" + jobId + "/versions/" + version + "/manifest";
  }

  Manifest withUrls(Manifest m) {
    String b = base();
    if (m.jobId() != null) {
      String prefix = b + "/v1/jobs/" + m.jobId() + "/versions/" + m.version() + "/files/";
      return m.withUrls(f -> prefix + f);
    }
    String prefix = b + "/v1/models/" + m.model() + "/files/";
    return m.withUrls(f -> prefix + f);
  }
}
