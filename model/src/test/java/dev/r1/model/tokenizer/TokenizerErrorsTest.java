package dev.r1.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerErrorsTest {

  @Test
  void missingTokenizerJsonIsNamed(@TempDir Path dir) {
    assertThatThrownBy(() -> Tokenizer.load(dir))
        .isInstanceOf(TokenizerException.class)
        .hasMessageContaining("tokenizer.json not found")
        .hasMessageContaining(dir.toString());
  }

  @Test
  void corruptTokenizerJsonIsNamed(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"vocab\": {\"a\": 0,");
    assertThatThrownBy(() -> Tokenizer.load(dir))
        .isInstanceOf(TokenizerException.class)
        .hasMessageContaining(dir.resolve("tokenizer.json").toString());
  }

  @Test
  void tokenizerJsonTheNativeLibraryRejectsIsNamed(@TempDir Path dir) throws IOException {
    // valid JSON with a vocabulary, but not a tokenizer the Rust library can build
    Files.writeString(
        dir.resolve("tokenizer.json"),
        "{\"model\": {\"type\": \"Nonsense\", \"vocab\": {\"a\": 0}}}");
    assertThatThrownBy(() -> Tokenizer.load(dir))
        .isInstanceOf(TokenizerException.class)
        .hasMessageContaining("cannot load " + dir.resolve("tokenizer.json"));
  }

  @Test
  void addedTokenIdsTheLibraryWouldReassignAreRejected(@TempDir Path dir) throws IOException {
    TinyTokenizerFactory.write(dir);
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = (ObjectNode) json.readTree(dir.resolve("tokenizer.json").toFile());
    ObjectNode vocab = (ObjectNode) root.path("model").path("vocab");
    for (String special : TinyTokenizerFactory.SPECIAL_TOKENS) {
      vocab.remove(special);
    }
    json.writeValue(dir.resolve("tokenizer.json").toFile(), root);
    assertThatThrownBy(() -> Tokenizer.load(dir))
        .isInstanceOf(TokenizerException.class)
        .hasMessageContaining("added token \"<|pad|>\" declares id 0")
        .hasMessageContaining(dir.resolve("tokenizer.json").toString());
  }

  @Test
  void corruptTokenizerConfigIsNamed(@TempDir Path dir) throws IOException {
    TinyTokenizerFactory.write(dir);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{not json");
    assertThatThrownBy(() -> Tokenizer.load(dir))
        .isInstanceOf(TokenizerException.class)
        .hasMessageContaining(dir.resolve("tokenizer_config.json").toString());
  }

  @Test
  void missingEosAndPadAreReportedWithTheFilesChecked(@TempDir Path dir) throws IOException {
    TinyTokenizerFactory.write(dir);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
    try (Tokenizer t = Tokenizer.load(dir)) {
      assertThatThrownBy(t::eosTokenId)
          .isInstanceOf(TokenizerException.class)
          .hasMessageContaining("no EOS token")
          .hasMessageContaining("eos_token_id")
          .hasMessageContaining("generation_config.json");
      assertThatThrownBy(t::padTokenId).hasMessageContaining("no PAD token");
      assertThatThrownBy(t::chatTemplate).hasMessageContaining("has no chat_template");
      assertThat(t.hasChatTemplate()).isFalse();
    }
  }

  @Test
  void eosTokenAbsentFromVocabularyIsNamed(@TempDir Path dir) throws IOException {
    TinyTokenizerFactory.write(dir);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
    try (Tokenizer t = Tokenizer.load(dir)) {
      assertThatThrownBy(t::eosTokenId)
          .hasMessageContaining("eos_token \"</s>\" is not in tokenizer.json")
          .hasMessageContaining("tokenizer_config.json");
    }
  }

  @Test
  void eosIdOutsideVocabularyIsNamed(@TempDir Path dir) throws IOException {
    TinyTokenizerFactory.write(dir);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
    Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": 999}");
    try (Tokenizer t = Tokenizer.load(dir)) {
      assertThatThrownBy(t::eosTokenId)
          .hasMessageContaining("config.json: eos_token_id 999 is outside the vocabulary");
    }
  }

  @Test
  void eosFallsBackToConfigIds(@TempDir Path dir) throws IOException {
    TinyTokenizerFactory.write(dir);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
    Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [3, 1]}");
    Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": 1, \"pad_token_id\": 0}");
    try (Tokenizer t = Tokenizer.load(dir)) {
      assertThat(t.eosTokenId()).isEqualTo(3);
      assertThat(t.stopTokenIds()).containsExactly(3, 1);
      assertThat(t.padTokenId()).isEqualTo(0);
    }
  }
}
