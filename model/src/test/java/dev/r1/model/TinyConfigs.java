package dev.r1.model;

import java.util.List;

/** Small configurations covering every architecture feature, for checks that need no fixture. */
final class TinyConfigs {

  private TinyConfigs() {}

  static ModelConfig llama(boolean tied, ModelConfig.RopeScaling scaling) {
    return new ModelConfig(
        "llama",
        37,
        16,
        24,
        2,
        4,
        2,
        4,
        1e-6,
        10000,
        scaling,
        tied,
        false,
        false,
        64,
        1,
        List.of(2),
        "float32");
  }

  static ModelConfig qwen2() {
    return new ModelConfig(
        "qwen2",
        37,
        16,
        24,
        2,
        4,
        2,
        4,
        1e-6,
        1e6,
        null,
        true,
        true,
        false,
        64,
        1,
        List.of(2),
        "float32");
  }

  static ModelConfig qwen3() {
    return new ModelConfig(
        "qwen3",
        37,
        16,
        24,
        2,
        4,
        2,
        6,
        1e-6,
        1e6,
        null,
        true,
        false,
        true,
        64,
        1,
        List.of(2),
        "float32");
  }

  static ModelConfig llamaWithOutputBias() {
    return new ModelConfig(
        "llama",
        37,
        16,
        24,
        1,
        4,
        4,
        4,
        1e-5,
        500000,
        new ModelConfig.RopeScaling(8.0, 1.0, 4.0, 16),
        false,
        true,
        false,
        64,
        1,
        List.of(2),
        "float32");
  }

  static List<ModelConfig> all() {
    return List.of(
        llama(false, null),
        llama(true, new ModelConfig.RopeScaling(8.0, 1.0, 4.0, 16)),
        qwen2(),
        qwen3(),
        llamaWithOutputBias());
  }
}
