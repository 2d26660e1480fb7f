package dev.r1.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsumerDefaultsTest {

  @Test
  void addsTheShortSessionTimeoutWhereNothingIsConfigured() {
    Map<String, Object> props = ConsumerDefaults.apply(new HashMap<>());
    assertThat(props)
        .containsEntry("session.timeout.ms", 10_000)
        .containsEntry("heartbeat.interval.ms", 3_000);
  }

  @Test
  void keepsWhatTheDeploymentConfigured() {
    Map<String, Object> props = new HashMap<>(Map.of("session.timeout.ms", "30000"));
    ConsumerDefaults.apply(props);
    assertThat(props).containsEntry("session.timeout.ms", "30000");
    assertThat(props).containsEntry("heartbeat.interval.ms", 3_000);
  }
}
