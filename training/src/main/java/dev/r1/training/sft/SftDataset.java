package dev.r1.training.sft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.training.task.ChatPrompts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompt/response pairs for SFT from JSONL: one object per line with the user turn in {@code
 * prompt} (or {@code question}) and the assistant turn in {@code response} (or {@code completion}).
 * The prompt goes through the chat template ({@link ChatPrompts}), the response gets the
 * end-of-turn token, and the loss covers the response only ({@link SftTrainer}). Rejection sampling
 * datasets ({@code dev.r1.training.rejection}) are read the same way.
 */
public final class SftDataset {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One pair before tokenization. */
  public record Row(String prompt, String response) {
    public Row {
      if (prompt == null || prompt.isBlank()) {
        throw new IllegalArgumentException("prompt must not be blank");
      }
      if (response == null || response.isEmpty()) {
        throw new IllegalArgumentException("response must not be empty");
      }
    }
  }

  /**
   * Tokenized examples and what was left out.
   *
   * @param examples the examples within the length limit
   * @param droppedTooLong rows longer than the limit (prompt + response tokens)
   */
  public record Examples(List<SftExample> examples, int droppedTooLong) {}

  private SftDataset() {}

  /**
   * Reads every row of a JSONL file.
   *
   * @throws IllegalArgumentException naming the file, line and field of a malformed row
   */
  public static List<Row> read(Path file) {
    List<Row> rows = new ArrayList<>();
    String name = file.getFileName().toString();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (!line.isBlank()) {
          rows.add(parse(line, name + " line " + n));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read SFT file " + file, e);
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("SFT file " + file + " has no rows");
    }
    return rows;
  }

  static Row parse(String line, String at) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (IOException e) {
      throw new IllegalArgumentException(at + " is not valid JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(at + " must be a JSON object");
    }
    String prompt = text(node, at, "prompt", "question");
    if (prompt == null || prompt.isBlank()) {
      throw new IllegalArgumentException(at + ": field 'prompt' (or 'question') is missing");
    }
    String response = text(node, at, "response", "completion");
    if (response == null || response.isEmpty()) {
      throw new IllegalArgumentException(at + ": field 'response' (or 'completion') is missing");
    }
    return new Row(prompt, response);
  }

  private static String text(JsonNode node, String at, String... fields) {
    for (String f : fields) {
      JsonNode v = node.get(f);
      if (v == null || v.isNull()) {
        continue;
      }
      if (!v.isTextual()) {
        throw new IllegalArgumentException(
            at + ": field '" + f + "' must be a string, got " + v.getNodeType());
      }
      return v.asText();
    }
    return null;
  }

  /**
   * Renders and tokenizes rows; rows longer than {@code maxTokens} (prompt + response + end) are
   * dropped and counted.
   */
  public static Examples examples(
      Tokenizer tokenizer, ChatPrompts prompts, List<Row> rows, int maxTokens) {
    List<SftExample> out = new ArrayList<>(rows.size());
    int dropped = 0;
    for (Row r : rows) {
      SftExample e =
          SftExample.of(
              tokenizer, prompts.render(r.prompt()), r.response(), tokenizer.eosTokenId());
      if (e.length() > maxTokens) {
        dropped++;
      } else {
        out.add(e);
      }
    }
    return new Examples(List.copyOf(out), dropped);
  }
}
