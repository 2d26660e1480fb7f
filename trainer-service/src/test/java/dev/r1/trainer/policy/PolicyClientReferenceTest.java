package dev.r1.trainer.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PolicyClientReferenceTest {

  @Test
  void modelReferencesResolveToManifestPaths() {
    assertThat(PolicyClient.manifestPath("tiny-random"))
        .isEqualTo("/v1/models/tiny-random/manifest");
    assertThat(PolicyClient.manifestPath("job:p1-s1-cold_start@1"))
        .isEqualTo("/v1/jobs/p1-s1-cold_start/versions/1/manifest");
    assertThat(PolicyClient.manifestPath("job:p1-s2-grpo"))
        .isEqualTo("/v1/jobs/p1-s2-grpo/versions/latest");
    assertThatThrownBy(() -> PolicyClient.manifestPath("job:p1@x"))
        .hasMessageContaining("@<version number>");
    assertThatThrownBy(() -> PolicyClient.manifestPath("job:@3")).hasMessageContaining("no job");
  }
}
