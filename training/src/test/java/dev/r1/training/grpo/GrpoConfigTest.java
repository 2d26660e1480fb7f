package dev.r1.training.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class GrpoConfigTest {

  @Test
  void presetsAreValidAndNamed() {
    assertThat(GrpoConfig.defaults().lossAggregation()).isEqualTo(LossAggregation.SEQUENCE_MEAN);
    assertThat(GrpoConfig.dapo().epsilonHigh()).isEqualTo(0.28);
    assertThat(GrpoConfig.drGrpo(1024).maxCompletionLength()).isEqualTo(1024);
    assertThat(GrpoConfig.drGrpo(1024).advantageScale()).isEqualTo(AdvantageScale.NONE);
    assertThat(GrpoConfig.defaults().withImportanceRatioCap(2).importanceRatioCap()).hasValue(2.0);
  }

  @Test
  void rejectsOutOfRangeClipEpsilons() {
    assertThatThrownBy(() -> GrpoConfig.defaults().withEpsilon(1.0, 0.2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("epsilonLow");
    assertThatThrownBy(() -> GrpoConfig.defaults().withEpsilon(0.2, -0.1))
        .hasMessageContaining("epsilonHigh");
    assertThatThrownBy(() -> GrpoConfig.defaults().withEpsilon(Double.NaN, 0.2))
        .hasMessageContaining("epsilonLow");
  }

  @Test
  void rejectsNegativeBeta() {
    assertThatThrownBy(() -> GrpoConfig.defaults().withBeta(-0.01)).hasMessageContaining("beta");
  }

  @Test
  void constantNormalizerNeedsMaxCompletionLength() {
    assertThatThrownBy(
            () -> GrpoConfig.defaults().withLossAggregation(LossAggregation.CONSTANT_NORMALIZER, 0))
        .hasMessageContaining("maxCompletionLength");
  }

  @Test
  void rejectsImportanceRatioCapBelowOne() {
    assertThatThrownBy(() -> GrpoConfig.defaults().withImportanceRatioCap(0.5))
        .hasMessageContaining("importanceRatioCap");
  }

  @Test
  void rejectsMissingEnums() {
    assertThatThrownBy(
            () ->
                new GrpoConfig(0.2, 0.2, 0, null, 0, AdvantageScale.GROUP, OptionalDouble.empty()))
        .hasMessageContaining("lossAggregation");
    assertThatThrownBy(
            () ->
                new GrpoConfig(
                    0.2, 0.2, 0, LossAggregation.TOKEN_MEAN, 0, null, OptionalDouble.empty()))
        .hasMessageContaining("advantageScale");
  }
}
