package dev.r1.training.sft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.r1.model.tokenizer.TinyTokenizerFactory;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.training.recipe.TinyArithmeticRecipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftDatasetTest {

  @Test
  void readsPairsAndRendersThePromptThroughTheChatTemplate(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("sft.jsonl");
    Files.writeString(
        f,
        """
        {"prompt": "12+30", "response": "<think>\\n2+0=2\\n</think>\\n<answer>42</answer>"}
        {"question": "1+1", "completion": "<answer>2</answer>"}
        {"prompt": "long", "response": "%s"}
        """
            .formatted("x".repeat(300)));
    List<SftDataset.Row> rows = SftDataset.read(f);
    assertThat(rows).hasSize(3);
    try (Tokenizer tok = Tokenizer.load(TinyTokenizerFactory.write(dir.resolve("tok")))) {
      SftDataset.Examples ex = SftDataset.examples(tok, TinyArithmeticRecipe.prompts(), rows, 200);
      assertThat(ex.droppedTooLong()).isEqualTo(1);
      assertThat(ex.examples()).hasSize(2);
      SftExample first = ex.examples().get(0);
      assertThat(tok.decode(first.prompt(), false)).contains("<|im_start|>user\n12+30");
      assertThat(first.response()[first.response().length - 1]).isEqualTo(tok.eosTokenId());
    }
  }

  @Test
  void missingFieldsNameTheLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, "{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"a\"}\n");
    assertThatThrownBy(() -> SftDataset.read(f))
        .hasMessageContaining("bad.jsonl line 2")
        .hasMessageContaining("'response'");
  }
}
