package dev.r1.sampler.generation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.model.tokenizer.TinyTokenizerFactory;
import dev.r1.model.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {

  @Test
  void cutsAfterTheTokenThatCompletesTheFirstStopString() throws Exception {
    try (Tokenizer t =
        Tokenizer.load(TinyTokenizerFactory.write(Files.createTempDirectory("tok")))) {
      int[] ids = t.encode("abc</answer>xyz");
      int keep = StopStrings.cut(ids, List.of("</answer>", "zz"), t);
      assertThat(t.decode(java.util.Arrays.copyOf(ids, keep), false)).isEqualTo("abc</answer>");
      assertThat(StopStrings.cut(ids, List.of("nope"), t)).isEqualTo(ids.length);
      assertThat(StopStrings.cut(ids, List.of(), t)).isEqualTo(ids.length);
      assertThat(StopStrings.cut(ids, List.of("b"), t)).isEqualTo(2);
    }
  }
}
