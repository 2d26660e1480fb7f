package dev.r1.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PromQlTest {

  @Test
  void findsMetricsMatchersAndGroupingLabels() {
    PromQl.Query q =
        PromQl.parse(
            "sum by (job, phase) (rate(r1_trainer_step_duration_seconds_sum{job=~\"$job\"}[$__rate_interval]))"
                + " / sum by (job, phase) (rate(r1_trainer_step_duration_seconds_count{job=~\"$job\"}[5m]))");
    assertThat(q.selectors())
        .extracting(PromQl.Selector::metric)
        .containsExactly(
            "r1_trainer_step_duration_seconds_sum", "r1_trainer_step_duration_seconds_count");
    assertThat(q.selectors().get(0).matchers())
        .containsExactly(new PromQl.Matcher("job", "=~", "$job"));
    assertThat(q.groupingLabels()).containsExactly("job", "phase");
  }

  @Test
  void bareNamesLiteralMatchersAndKeywords() {
    PromQl.Query q =
        PromQl.parse(
            "count by (application) (process_uptime_seconds) and on (application)"
                + " jvm_memory_used_bytes{area=\"heap\", id!=\"x,y\"} offset 5m > 0.5");
    assertThat(q.selectors())
        .extracting(PromQl.Selector::metric)
        .containsExactly("process_uptime_seconds", "jvm_memory_used_bytes");
    assertThat(q.selectors().get(1).matchers())
        .isEqualTo(
            List.of(
                new PromQl.Matcher("area", "=", "heap"), new PromQl.Matcher("id", "!=", "x,y")));
    assertThat(q.groupingLabels()).containsExactly("application");
  }

  @Test
  void selectorWithoutNameIsRefused() {
    assertThatThrownBy(() -> PromQl.parse("{__name__=~\"r1_.*\"}"))
        .hasMessageContaining("without a metric name");
  }
}
