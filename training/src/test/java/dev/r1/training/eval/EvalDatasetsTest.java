package dev.r1.training.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.r1.training.task.TaskRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalDatasetsTest {

  @Test
  void readsGsm8kMathAndPlainRows(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("mixed.jsonl");
    Files.writeString(
        f,
        """
        {"question": "How many?", "answer": "2 * 3 = <<2*3=6>>6\\n#### 1,200"}
        {"problem": "Simplify $\\\\frac{2}{4}$.", "answer": "\\\\frac{1}{2}", "unique_id": "test/algebra/1.json"}

        {"prompt": "12+30", "answer": 42, "id": "a1"}
        """);
    List<TaskRow> rows = EvalDatasets.read(f, 10);
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).answer()).isEqualTo("1200");
    assertThat(rows.get(0).promptId()).isEqualTo("mixed.jsonl:1");
    assertThat(rows.get(1).answer()).isEqualTo("\\frac{1}{2}");
    assertThat(rows.get(1).promptId()).isEqualTo("test/algebra/1.json");
    assertThat(rows.get(2).answer()).isEqualTo("42");
    assertThat(EvalDatasets.read(f, 1)).hasSize(1);
  }

  @Test
  void badRowsNameFileLineAndField(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, "{\"question\": \"q\", \"answer\": \"1\"}\n{\"question\": \"q\"}\n");
    assertThatThrownBy(() -> EvalDatasets.read(f, 10))
        .hasMessageContaining("bad.jsonl line 2")
        .hasMessageContaining("'answer'");
  }

  @Test
  void builtinArithmeticIsTheHeldOutSplit() {
    List<TaskRow> rows = EvalDatasets.resolve("builtin:arithmetic", 5, 2, 7);
    assertThat(rows).hasSize(5);
    assertThat(rows.get(0).question()).matches("\\d\\d[+-]\\d\\d");
  }
}
