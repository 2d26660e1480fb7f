package dev.r1.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads the special-token settings of a checkpoint folder: {@code tokenizer_config.json} (token
 * strings), {@code generation_config.json} and {@code config.json} (ids), each optional.
 */
final class CheckpointConfigs {

  static final String TOKENIZER_JSON = "tokenizer.json";
  static final String TOKENIZER_CONFIG = "tokenizer_config.json";
  static final String GENERATION_CONFIG = "generation_config.json";
  static final String CONFIG = "config.json";
  static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";

  private static final ObjectMapper JSON = new ObjectMapper();

  final Path dir;
  final JsonNode tokenizerConfig;
  final JsonNode generationConfig;
  final JsonNode config;
  final String chatTemplateFile;

  CheckpointConfigs(Path dir) {
    this.dir = dir;
    this.tokenizerConfig = readOptional(dir.resolve(TOKENIZER_CONFIG));
    this.generationConfig = readOptional(dir.resolve(GENERATION_CONFIG));
    this.config = readOptional(dir.resolve(CONFIG));
    Path template = dir.resolve(CHAT_TEMPLATE_FILE);
    try {
      this.chatTemplateFile = Files.isRegularFile(template) ? Files.readString(template) : null;
    } catch (IOException e) {
      throw new TokenizerException("cannot read " + template + ": " + e.getMessage(), e);
    }
  }

  static JsonNode readRequired(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new TokenizerException(file.getFileName() + " not found: " + file);
    }
    return parse(file);
  }

  private static JsonNode readOptional(Path file) {
    return Files.isRegularFile(file) ? parse(file) : null;
  }

  private static JsonNode parse(Path file) {
    try {
      JsonNode node = JSON.readTree(file.toFile());
      if (node == null || !node.isObject()) {
        throw new TokenizerException(file + " is not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new TokenizerException("cannot parse " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * A token string from tokenizer_config.json ({@code eos_token}, {@code pad_token}, ...), written
   * either as a string or as an AddedToken object with {@code content}; null when absent.
   */
  String tokenString(String field) {
    if (tokenizerConfig == null) {
      return null;
    }
    JsonNode v = tokenizerConfig.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isObject() && v.path("content").isTextual()) {
      return v.get("content").asText();
    }
    throw new TokenizerException(
        dir.resolve(TOKENIZER_CONFIG) + ": " + field + " is neither a string nor {content: ...}");
  }

  /** The chat template: chat_template.jinja, else tokenizer_config.json's chat_template. */
  String chatTemplate() {
    if (chatTemplateFile != null) {
      return chatTemplateFile;
    }
    if (tokenizerConfig == null) {
      return null;
    }
    JsonNode t = tokenizerConfig.get("chat_template");
    if (t == null || t.isNull()) {
      return null;
    }
    if (t.isTextual()) {
      return t.asText();
    }
    if (t.isArray()) {
      // [{name, template}, ...]: the one named "default".
      for (JsonNode named : t) {
        if ("default".equals(named.path("name").asText())) {
          return named.path("template").asText();
        }
      }
      throw new TokenizerException(
          dir.resolve(TOKENIZER_CONFIG) + ": chat_template list has no entry named \"default\"");
    }
    throw new TokenizerException(
        dir.resolve(TOKENIZER_CONFIG) + ": chat_template is neither a string nor a list");
  }

  /** Ids of {@code field} ({@code eos_token_id}, ...) in a config: an int or a list of ints. */
  List<Integer> ids(JsonNode node, String file, String field) {
    List<Integer> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return out;
    }
    if (v.canConvertToInt()) {
      out.add(v.asInt());
    } else if (v.isArray()) {
      for (JsonNode e : v) {
        if (!e.canConvertToInt()) {
          throw new TokenizerException(
              dir.resolve(file) + ": " + field + " holds a non-integer " + e);
        }
        out.add(e.asInt());
      }
    } else {
      throw new TokenizerException(
          dir.resolve(file) + ": " + field + " is neither an integer nor a list: " + v);
    }
    return out;
  }

  /** Resolves a special id: token string in tokenizer_config.json, then the two id configs. */
  OptionalInt resolve(Vocabulary vocab, String tokenField, String idField) {
    Set<Integer> ids = candidates(vocab, tokenField, idField);
    return ids.isEmpty() ? OptionalInt.empty() : OptionalInt.of(ids.iterator().next());
  }

  /** All ids named for this role, in order: tokenizer_config, generation_config, config. */
  Set<Integer> candidates(Vocabulary vocab, String tokenField, String idField) {
    Set<Integer> ids = new LinkedHashSet<>();
    String token = tokenString(tokenField);
    if (token != null) {
      Integer id = vocab.id(token);
      if (id == null) {
        throw new TokenizerException(
            dir.resolve(TOKENIZER_CONFIG)
                + ": "
                + tokenField
                + " \""
                + token
                + "\" is not in "
                + TOKENIZER_JSON);
      }
      ids.add(id);
    }
    for (int id : ids(generationConfig, GENERATION_CONFIG, idField)) {
      ids.add(checkRange(vocab, id, GENERATION_CONFIG, idField));
    }
    for (int id : ids(config, CONFIG, idField)) {
      ids.add(checkRange(vocab, id, CONFIG, idField));
    }
    return ids;
  }

  private int checkRange(Vocabulary vocab, int id, String file, String field) {
    if (id < 0 || id >= vocab.size()) {
      throw new TokenizerException(
          dir.resolve(file)
              + ": "
              + field
              + " "
              + id
              + " is outside the vocabulary [0, "
              + vocab.size()
              + ")");
    }
    return id;
  }
}
