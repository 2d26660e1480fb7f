package dev.r1.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Qwen3TokenizerTest {

  private static Tokenizer qwen;

  @BeforeAll
  static void load() {
    qwen = Tokenizer.load(Fixtures.qwen3());
  }

  @AfterAll
  static void close() {
    qwen.close();
  }

  @Test
  void addedTokensHaveTheIdsOfTokenizerJson() {
    assertThat(qwen.tokenToId("<|endoftext|>")).isEqualTo(151643);
    assertThat(qwen.tokenToId("<|im_start|>")).isEqualTo(151644);
    assertThat(qwen.tokenToId("<|im_end|>")).isEqualTo(151645);
    assertThat(qwen.tokenToId("<think>")).isEqualTo(151667);
    assertThat(qwen.tokenToId("</think>")).isEqualTo(151668);
    assertThat(qwen.idToToken(151667)).isEqualTo("<think>");
    assertThat(qwen.idToToken(1879)).isEqualTo("Ġworld");
    // 151,643 BPE entries + 26 added tokens, max id 151668 (SOURCE.md)
    assertThat(qwen.vocabSize()).isEqualTo(151669);
    assertThat(qwen.isSpecial(151644)).isTrue();
    assertThat(qwen.isSpecial(151667)).isFalse(); // <think> is an added, non-special token
    assertThat(qwen.specialTokens()).contains("<|im_start|>", "<|im_end|>").hasSize(14);
  }

  @Test
  void encodesKnownTextToVocabularyIds() {
    // "Hello" and "Ġworld" are whole entries of model.vocab; "!" is entry 0.
    assertThat(qwen.encode("Hello world!")).containsExactly(9707, 1879, 0);
  }

  @Test
  void specialTokensInTextEncodeAsSingleIds() {
    int[] ids = qwen.encode("<|im_start|>user\nHi<|im_end|>\n<think>");
    assertThat(ids[0]).isEqualTo(151644);
    assertThat(ids).contains(151645);
    assertThat(ids[ids.length - 1]).isEqualTo(151667);
    assertThat(qwen.encode("<think>")).containsExactly(151667);
  }

  @Test
  void addsNoSpecialTokensOfItsOwn() {
    assertThat(qwen.encode("Hello world!", true)).containsExactly(9707, 1879, 0);
  }

  @Test
  void mixedEnglishChineseAndCodeRoundTrip() {
    String text =
        "The answer is 42.\n你好，世界！这是一个测试。\n"
            + "def f(x):\n    return x ** 2  # square\n\t{\"k\": [1, 2, 3]}\n"
            + "Ünïcödé — emoji 🙂🚀, math: ∑_{i=1}^{n} i = n(n+1)/2  trailing spaces   ";
    int[] ids = qwen.encode(text);
    assertThat(ids.length).isLessThan(text.length());
    assertThat(qwen.decode(ids)).isEqualTo(text);
    assertThat(qwen.decode(ids, true)).isEqualTo(text);
  }

  @Test
  void decodeSkipsSpecialTokensOnlyWhenAsked() {
    int[] ids = qwen.encode("<|im_start|>assistant\n<think>\nok\n</think>\n\n4<|im_end|>");
    assertThat(qwen.decode(ids, false))
        .isEqualTo("<|im_start|>assistant\n<think>\nok\n</think>\n\n4<|im_end|>");
    // <think> is not special in Qwen3, so it survives skipping
    assertThat(qwen.decode(ids, true)).isEqualTo("assistant\n<think>\nok\n</think>\n\n4");
  }

  @Test
  void doesNotTruncateLongText() {
    // Qwen's pre-tokenizer splits every digit on its own (\p{N}), so 6000 digits are 6000 tokens.
    String digits = "7".repeat(6000);
    int[] ids = qwen.encode(digits);
    assertThat(ids).hasSize(6000);
    assertThat(ids).containsOnly(22);

    StringBuilder prose = new StringBuilder();
    for (int i = 0; i < 1500; i++) {
      prose.append("Sentence number ").append(i).append(" talks about 数学 and code. ");
    }
    int[] many = qwen.encode(prose.toString());
    assertThat(many.length).isGreaterThan(5000);
    assertThat(qwen.decode(many)).isEqualTo(prose.toString());
  }

  @Test
  void resolvesEosAndPadFromTokenizerConfig() {
    assertThat(qwen.eosTokenId()).isEqualTo(151645);
    assertThat(qwen.padTokenId()).isEqualTo(151643);
    assertThat(qwen.stopTokenIds()).containsExactly(151645);
    assertThat(qwen.bosTokenId()).isEmpty();
  }

  @Test
  void stopTokensIncludeGenerationConfigList(@TempDir Path dir) throws IOException {
    copyQwen(dir);
    Files.writeString(
        dir.resolve("generation_config.json"),
        "{\"bos_token_id\": 151643, \"eos_token_id\": [151645, 151643], \"pad_token_id\": 151643}");
    Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": 151643}");
    try (Tokenizer t = Tokenizer.load(dir)) {
      assertThat(t.stopTokenIds()).containsExactly(151645, 151643);
      assertThat(t.eosTokenId()).isEqualTo(151645);
      assertThat(t.bosTokenId()).hasValue(151643);
    }
  }

  @Test
  void leftPadsBatches() {
    PaddedBatch batch = qwen.encodeBatch(List.of("Hello world!", "!"));
    assertThat(batch.inputIds()[0]).containsExactly(9707, 1879, 0);
    assertThat(batch.inputIds()[1]).containsExactly(151643, 151643, 0);
    assertThat(batch.attentionMask()[0]).containsExactly(1, 1, 1);
    assertThat(batch.attentionMask()[1]).containsExactly(0, 0, 1);
  }

  @Test
  void encodesConcurrentlyLikeSequentially() {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      texts.add("Thread test " + i + ": 你好 " + "x".repeat(i) + " 🙂");
    }
    List<int[]> sequential = qwen.encodeAll(texts);
    List<int[]> parallel =
        IntStream.range(0, texts.size())
            .parallel()
            .mapToObj(i -> qwen.encode(texts.get(i)))
            .toList();
    for (int i = 0; i < texts.size(); i++) {
      assertThat(parallel.get(i)).containsExactly(sequential.get(i));
    }
  }

  @Test
  void rejectsIdsOutsideTheVocabulary() {
    assertThatThrownBy(() -> qwen.decode(new int[] {9707, 151669}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("151669")
        .hasMessageContaining("position 1");
    assertThatThrownBy(() -> qwen.tokenToId("no-such-token-xyz"))
        .hasMessageContaining("no-such-token-xyz");
  }

  static void copyQwen(Path dir) throws IOException {
    for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
      Files.copy(Fixtures.qwen3().resolve(f), dir.resolve(f));
    }
  }
}
