package dev.r1.training.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineConfigTest {

  @Test
  void presetsAndOverrides() {
    PipelineConfig q = PipelineConfig.from(Map.of("preset", "quick", "grpo1_steps", 5));
    assertThat(q.preset()).isEqualTo("quick");
    assertThat(q.grpo1Steps()).isEqualTo(5);
    assertThat(q.distillSteps()).isLessThan(PipelineConfig.defaults().distillSteps());
    assertThat(PipelineConfig.from(Map.of()).preset()).isEqualTo("default");
    assertThat(PipelineConfig.from(q.asMap())).isEqualTo(q);
  }

  @Test
  void errorsNameTheKey() {
    assertThatThrownBy(() -> PipelineConfig.from(Map.of("preset", "huge")))
        .hasMessageContaining("hyperparameters.preset");
    assertThatThrownBy(() -> PipelineConfig.from(Map.of("grpo1_steps", 0)))
        .hasMessageContaining("hyperparameters.grpo1_steps");
    assertThatThrownBy(() -> PipelineConfig.from(Map.of("bogus", 1)))
        .hasMessageContaining("hyperparameters.bogus");
  }
}
