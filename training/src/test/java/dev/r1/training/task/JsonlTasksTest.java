package dev.r1.training.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlTasksTest {

  @Test
  void readsQuestionOrPromptWithAnswerAndOptionalId(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("t.jsonl");
    Files.writeString(
        f,
        "{\"question\": \"2+2?\", \"answer\": \"4\", \"id\": \"q1\"}\n"
            + "\n"
            + "{\"prompt\": \"3*3?\", \"answer\": 9}\n");
    List<TaskRow> rows = JsonlTasks.read(f);
    assertThat(rows)
        .containsExactly(new TaskRow("q1", "2+2?", "4"), new TaskRow("t.jsonl:3", "3*3?", "9"));
  }

  @Test
  void errorsNameTheFileLineAndField(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, "{\"question\": \"a\", \"answer\": \"1\"}\n{\"question\": \"b\"}\n");
    assertThatThrownBy(() -> JsonlTasks.read(f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad.jsonl line 2")
        .hasMessageContaining("'answer'");
    Files.writeString(f, "not json\n");
    assertThatThrownBy(() -> JsonlTasks.read(f)).hasMessageContaining("line 1 is not valid JSON");
    Files.writeString(f, "{\"question\": [1], \"answer\": \"1\"}\n");
    assertThatThrownBy(() -> JsonlTasks.read(f)).hasMessageContaining("field 'question'");
  }
}
