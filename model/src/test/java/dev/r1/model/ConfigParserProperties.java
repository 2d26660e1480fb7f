package dev.r1.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property: no {@code config.json} text makes {@link ModelConfig} throw anything but a {@link
 * ModelFormatException} whose message names the source and, for a well-formed object, a field.
 */
class ConfigParserProperties {

  static final String VALID =
      """
      {"model_type":"qwen3","vocab_size":64,"hidden_size":16,"intermediate_size":24,
       "num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"head_dim":8,
       "rms_norm_eps":1e-6,"rope_theta":10000.0,"tie_word_embeddings":true,
       "attention_bias":false,"max_position_embeddings":128,"bos_token_id":1,
       "eos_token_id":[2,3],"torch_dtype":"bfloat16",
       "rope_scaling":{"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,
                       "high_freq_factor":4.0,"original_max_position_embeddings":64}}
      """;

  static final List<String> FIELDS =
      List.of(
          "model_type",
          "vocab_size",
          "hidden_size",
          "intermediate_size",
          "num_hidden_layers",
          "num_attention_heads",
          "num_key_value_heads",
          "head_dim",
          "rms_norm_eps",
          "rope_theta",
          "rope_scaling",
          "factor",
          "tie_word_embeddings",
          "attention_bias",
          "max_position_embeddings",
          "bos_token_id",
          "eos_token_id",
          "torch_dtype",
          "original_max_position_embeddings",
          "low_freq_factor",
          "high_freq_factor");

  @Provide
  Arbitrary<String> mutatedConfigs() {
    return JsonArbitraries.mutations(VALID, FIELDS);
  }

  @Provide
  Arbitrary<String> garbage() {
    return JsonArbitraries.garbage();
  }

  @Property(tries = 400)
  void mutatedConfigsParseOrNameTheField(@ForAll("mutatedConfigs") String json) {
    try {
      com.fasterxml.jackson.databind.JsonNode input = JsonArbitraries.read(json);
      ModelConfig c = ModelConfig.fromJson(input, "cfg.json");
      com.fasterxml.jackson.databind.JsonNode rs = input.get("rope_scaling");
      assertThat(rs == null || rs.isNull() || rs.isObject())
          .as("rope_scaling accepted only as an object: %s", rs)
          .isTrue();
      assertThat(c.numHeads() % c.numKvHeads()).isZero();
      assertThat(c.headDim() % 2).isZero();
      assertThat(c.vocabSize()).isPositive();
      // what was accepted round-trips
      assertThat(ModelConfig.fromJson(c.toJson(), "again")).isEqualTo(c);
    } catch (ModelFormatException e) {
      // the parser names the source; the record's own checks say config.json
      assertThat(e.getMessage()).matches("(cfg|config)\\.json.*");
      assertThat(FIELDS.stream().anyMatch(e.getMessage()::contains))
          .as("names a field: %s", e.getMessage())
          .isTrue();
    }
  }

  @Property(tries = 300)
  void garbageFilesOnlyThrowModelFormatException(@ForAll("garbage") String text) throws Exception {
    Path dir = Files.createTempDirectory("cfg");
    try {
      Files.writeString(dir.resolve("config.json"), text, StandardCharsets.UTF_8);
      try {
        ModelConfig.read(dir);
      } catch (ModelFormatException e) {
        assertThat(e.getMessage()).contains("config.json");
      }
    } finally {
      Files.deleteIfExists(dir.resolve("config.json"));
      Files.delete(dir);
    }
  }
}
