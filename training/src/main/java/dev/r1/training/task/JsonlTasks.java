package dev.r1.training.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a user's task from JSONL: one object per line with the question in {@code question} (or
 * {@code prompt}) and the gold answer in {@code answer}; an optional {@code id} (or {@code
 * prompt_id}) names the row, else it is {@code <file>:<line>}. Blank lines are skipped.
 */
public final class JsonlTasks {

  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonlTasks() {}

  /**
   * @throws IllegalArgumentException naming the file and line of a malformed row
   * @throws UncheckedIOException when the file cannot be read
   */
  public static List<TaskRow> read(Path file) {
    List<TaskRow> rows = new ArrayList<>();
    String name = file.getFileName().toString();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        rows.add(parse(line, name, n));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read task file " + file, e);
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
    String question = text(node, "question", at);
    if (question == null) {
      question = text(node, "prompt", at);
    }
    if (question == null || question.isBlank()) {
      throw new IllegalArgumentException(at + ": field 'question' (or 'prompt') is missing");
    }
    String answer = text(node, "answer", at);
    if (answer == null || answer.isBlank()) {
      throw new IllegalArgumentException(at + ": field 'answer' is missing");
    }
    String id = text(node, "id", at);
    if (id == null) {
      id = text(node, "prompt_id", at);
    }
    return new TaskRow(id == null ? file + ":" + lineNo : id, question, answer);
  }

  private static String text(JsonNode node, String field, String at) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isNumber() || v.isBoolean()) {
      return v.asText();
    }
    throw new IllegalArgumentException(
        at + ": field '" + field + "' must be a string or number, got " + v.getNodeType());
  }
}
