package dev.r1.training.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.training.task.ArithmeticTask;
import dev.r1.training.task.TaskRow;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluation sets: the built-in arithmetic task's held-out split, or a JSONL file in one of the
 * common layouts, detected per row:
 *
 * <ul>
 *   <li>GSM8K: {@code question} and {@code answer} holding a worked solution that ends with {@code
 *       #### N}; the gold answer is N (thousands separators removed);
 *   <li>MATH / MATH-500: {@code problem} and {@code answer} (the final answer, LaTeX allowed);
 *   <li>plain: {@code question} (or {@code prompt}) and {@code answer}.
 * </ul>
 *
 * Row ids come from {@code id}, {@code unique_id} or {@code prompt_id}, else {@code <file>:<line>}.
 */
public final class EvalDatasets {

  private static final ObjectMapper JSON = new ObjectMapper();

  private EvalDatasets() {}

  /**
   * Resolves a dataset URI: {@code builtin:arithmetic} (held-out problems of the task with {@code
   * digits} and {@code seed}), a {@code file:} URI or a plain path of a JSONL file.
   *
   * @param limit the most rows to return (the first ones of a file)
   */
  public static List<TaskRow> resolve(String uri, int limit, int digits, long seed) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1, got " + limit);
    }
    if (uri.startsWith("builtin:arithmetic")) {
      return ArithmeticTask.of(digits, seed).heldOut(limit);
    }
    Path path = uri.startsWith("file:") ? Path.of(URI.create(uri)) : Path.of(uri);
    return read(path, limit);
  }

  /** The first {@code limit} rows of a JSONL file. */
  public static List<TaskRow> read(Path file, int limit) {
    List<TaskRow> rows = new ArrayList<>();
    String name = file.getFileName().toString();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while (rows.size() < limit && (line = in.readLine()) != null) {
        n++;
        if (!line.isBlank()) {
          rows.add(parse(line, name, n));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read evaluation file " + file, e);
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("evaluation file " + file + " has no rows");
    }
    return rows;
  }

  static TaskRow parse(String line, String file, int lineNo) {
    String at = file + " line " + lineNo;
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (IOException e) {
      throw new IllegalArgumentException(at + " is not valid JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(at + " must be a JSON object");
    }
    String question = first(node, at, "question", "prompt", "problem");
    if (question == null || question.isBlank()) {
      throw new IllegalArgumentException(
          at + ": field 'question' (or 'prompt' or 'problem') is missing");
    }
    String answer = first(node, at, "answer");
    if (answer == null || answer.isBlank()) {
      throw new IllegalArgumentException(at + ": field 'answer' is missing");
    }
    answer = goldAnswer(answer);
    if (answer.isBlank()) {
      throw new IllegalArgumentException(at + ": field 'answer' has nothing after '####'");
    }
    String id = first(node, at, "id", "unique_id", "prompt_id");
    return new TaskRow(id == null ? file + ":" + lineNo : id, question, answer);
  }

  /** The final answer of a GSM8K solution (after the last {@code ####}), else the text trimmed. */
  public static String goldAnswer(String answer) {
    int mark = answer.lastIndexOf("####");
    if (mark < 0) {
      return answer.strip();
    }
    String tail = answer.substring(mark + 4).strip();
    return tail.matches("[+-]?[\\d,]+(\\.\\d+)?") ? tail.replace(",", "") : tail;
  }

  private static String first(JsonNode node, String at, String... fields) {
    for (String f : fields) {
      JsonNode v = node.get(f);
      if (v == null || v.isNull()) {
        continue;
      }
      if (v.isTextual() || v.isNumber() || v.isBoolean()) {
        return v.asText();
      }
      throw new IllegalArgumentException(
          at + ": field '" + f + "' must be a string or number, got " + v.getNodeType());
    }
    return null;
  }
}
