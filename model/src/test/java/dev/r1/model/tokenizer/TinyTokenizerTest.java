package dev.r1.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyTokenizerTest {

  @TempDir static Path dir;
  private static Tokenizer tiny;

  @BeforeAll
  static void write() {
    tiny = Tokenizer.load(TinyTokenizerFactory.write(dir.resolve("tiny")));
  }

  @AfterAll
  static void close() {
    tiny.close();
  }

  /** Expected ids straight from UTF-8: byte b is id 8 + b. */
  private static int[] byteIds(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = 8 + (bytes[i] & 0xFF);
    }
    return ids;
  }

  @Test
  void vocabularyHasEightSpecialsAndAllBytes() {
    assertThat(tiny.vocabSize()).isEqualTo(264).isEqualTo(TinyTokenizerFactory.VOCAB_SIZE);
    List<String> specials =
        List.of(
            "<|pad|>",
            "<|endoftext|>",
            "<|im_start|>",
            "<|im_end|>",
            "<think>",
            "</think>",
            "<answer>",
            "</answer>");
    for (int id = 0; id < specials.size(); id++) {
      assertThat(tiny.tokenToId(specials.get(id))).isEqualTo(id);
      assertThat(tiny.encode(specials.get(id))).containsExactly(id);
    }
    assertThat(tiny.specialTokens())
        .containsExactly("<|pad|>", "<|endoftext|>", "<|im_start|>", "<|im_end|>");
    assertThat(tiny.tokenToId("Ġ")).isEqualTo(8 + ' ');
    assertThat(tiny.tokenToId("a")).isEqualTo(8 + 'a');
  }

  @Test
  void alphabetIsTheGpt2ByteMapping() {
    char[] alphabet = TinyTokenizerFactory.byteAlphabet();
    Set<Character> distinct = new HashSet<>();
    for (char c : alphabet) {
      distinct.add(c);
    }
    assertThat(distinct).hasSize(256);
    assertThat(alphabet[' ']).isEqualTo('Ġ'); // U+0120
    assertThat(alphabet['\n']).isEqualTo('Ċ'); // U+010A
    assertThat(alphabet[0]).isEqualTo('Ā'); // U+0100
    assertThat(alphabet[0xAD]).isEqualTo('Ń'); // soft hyphen maps to U+0143
    assertThat(alphabet['A']).isEqualTo('A');
  }

  @Test
  void anyTextRoundTripsOneIdPerByte() {
    String text = "Hello, 世界! 🙂🚀 x = 3+4*2 - 10/5\n\ttabs\u0000nul  ∑ é e\u0301 🇫🇷";
    int[] ids = tiny.encode(text);
    assertThat(ids).containsExactly(byteIds(text));
    assertThat(tiny.decode(ids)).isEqualTo(text);
    assertThat(tiny.decode(ids, true)).isEqualTo(text);
  }

  @Test
  void chatPromptEncodesWithSingleIdSpecials() {
    String prompt =
        tiny.applyChatTemplate(List.of(ChatMessage.user("2+2?")), true); // ChatML from the config
    assertThat(prompt).isEqualTo("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n");
    int[] ids = tiny.encode(prompt);
    int[] expected =
        concat(
            new int[] {2},
            byteIds("user\n2+2?"),
            new int[] {3},
            byteIds("\n"),
            new int[] {2},
            byteIds("assistant\n"));
    assertThat(ids).containsExactly(expected);
  }

  @Test
  void skippingSpecialsKeepsThinkAndAnswerTags() {
    String completion = "<think>\n2 plus 2\n</think>\n<answer>4</answer><|im_end|><|pad|>";
    int[] ids = tiny.encode(completion);
    assertThat(ids[0]).isEqualTo(4);
    assertThat(tiny.decode(ids, false)).isEqualTo(completion);
    assertThat(tiny.decode(ids, true)).isEqualTo("<think>\n2 plus 2\n</think>\n<answer>4</answer>");
  }

  @Test
  void eosAndPadComeFromTheWrittenConfig() {
    assertThat(tiny.eosTokenId()).isEqualTo(3);
    assertThat(tiny.padTokenId()).isEqualTo(0);
    assertThat(tiny.stopTokenIds()).containsExactly(3);
    assertThat(tiny.bosTokenId()).isEmpty();
  }

  @Test
  void batchesAreLeftPaddedWithPadZero() {
    PaddedBatch batch = tiny.encodeBatch(List.of("ab", "", "abcd"));
    assertThat(batch.batchSize()).isEqualTo(3);
    assertThat(batch.length()).isEqualTo(4);
    assertThat(batch.inputIds()[0]).containsExactly(0, 0, 8 + 'a', 8 + 'b');
    assertThat(batch.inputIds()[1]).containsExactly(0, 0, 0, 0);
    assertThat(batch.attentionMask()[0]).containsExactly(0, 0, 1, 1);
    assertThat(batch.attentionMask()[1]).containsExactly(0, 0, 0, 0);
    assertThat(batch.attentionMask()[2]).containsExactly(1, 1, 1, 1);
  }

  @Test
  void writesAStandardHuggingFaceFolder() throws IOException {
    ObjectMapper json = new ObjectMapper();
    JsonNode config = json.readTree(dir.resolve("tiny/tokenizer_config.json").toFile());
    assertThat(config.path("eos_token").asText()).isEqualTo("<|im_end|>");
    assertThat(config.path("pad_token").asText()).isEqualTo("<|pad|>");
    assertThat(config.path("chat_template").asText()).isEqualTo(ChatTemplate.CHATML_JINJA);
    JsonNode tok = json.readTree(dir.resolve("tiny/tokenizer.json").toFile());
    assertThat(tok.path("model").path("type").asText()).isEqualTo("BPE");
    // the 8 added tokens are model.vocab entries too, so the library keeps their ids
    assertThat(tok.path("model").path("vocab").size()).isEqualTo(264);
    assertThat(tok.path("model").path("vocab").path("<|pad|>").asInt()).isEqualTo(0);
    assertThat(tok.path("added_tokens").size()).isEqualTo(8);
    assertThat(tok.path("pre_tokenizer").path("type").asText()).isEqualTo("ByteLevel");
    assertThat(tok.path("decoder").path("type").asText()).isEqualTo("ByteLevel");
  }

  private static int[] concat(int[]... parts) {
    return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
  }
}
