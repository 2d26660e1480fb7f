package dev.r1.reward;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores a JSONL file of completions with a reward spec.
 *
 * <pre>
 * java -cp r1-rewards.jar dev.r1.reward.RewardCli --spec spec.json --input in.jsonl \
 *     [--output out.jsonl] [--threads 4] [--batch 64]
 * </pre>
 *
 * Input lines: {@code {"prompt": .., "completion": .., "reference": .., "metadata": {..}}} (only
 * {@code completion} is required; an object reference is passed on as JSON text). Output lines:
 * {@code {"line": n, "total": .., "millis": .., "components": {name: {value, status, detail,
 * millis}}}}. Rows sharing metadata {@code group_id} must sit in the same batch.
 */
public final class RewardCli {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RewardCli() {}

  public static void main(String[] args) throws IOException {
    int code = run(args, RewardRegistry.builtins(), System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs the CLI; returns the exit status (0 ok, 2 usage or input error). */
  public static int run(String[] args, RewardRegistry registry, PrintStream out, PrintStream err)
      throws IOException {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        err.println(
            "usage: --spec spec.json --input in.jsonl [--output out.jsonl] [--threads N]"
                + " [--batch N]");
        return 2;
      }
      opts.put(args[i].substring(2), args[++i]);
    }
    if (!opts.containsKey("spec") || !opts.containsKey("input")) {
      err.println("--spec and --input are required");
      return 2;
    }
    int threads =
        Integer.parseInt(
            opts.getOrDefault("threads", "" + Runtime.getRuntime().availableProcessors()));
    int batchSize = Integer.parseInt(opts.getOrDefault("batch", "64"));
    RewardSpec spec;
    try {
      spec = RewardSpec.fromJson(Files.readString(Path.of(opts.get("spec"))), registry);
    } catch (IllegalArgumentException e) {
      err.println("invalid spec " + opts.get("spec") + ": " + e.getMessage());
      return 2;
    }
    Writer w =
        opts.containsKey("output")
            ? Files.newBufferedWriter(Path.of(opts.get("output")), StandardCharsets.UTF_8)
            : new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
    try (RewardRunner runner = new RewardRunner(spec, registry, threads);
        BufferedReader r =
            Files.newBufferedReader(Path.of(opts.get("input")), StandardCharsets.UTF_8)) {
      List<RewardInput> batch = new ArrayList<>();
      List<Integer> lines = new ArrayList<>();
      String line;
      int lineNo = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        try {
          batch.add(parse(line));
        } catch (IllegalArgumentException e) {
          err.println(opts.get("input") + " line " + lineNo + ": " + e.getMessage());
          return 2;
        }
        lines.add(lineNo);
        if (batch.size() >= batchSize) {
          write(w, runner.score(batch), lines);
          batch.clear();
          lines.clear();
        }
      }
      if (!batch.isEmpty()) {
        write(w, runner.score(batch), lines);
      }
    } finally {
      w.flush();
      if (opts.containsKey("output")) {
        w.close();
      }
    }
    return 0;
  }

  /** Parses one input line. */
  static RewardInput parse(String line) {
    Map<String, Object> m;
    try {
      m = JSON.readValue(line, new TypeReference<Map<String, Object>>() {});
    } catch (IOException e) {
      throw new IllegalArgumentException("not a JSON object: " + e.getMessage());
    }
    if (!(m.get("completion") instanceof String completion)) {
      throw new IllegalArgumentException("completion must be a string");
    }
    Object prompt = m.get("prompt");
    if (prompt != null && !(prompt instanceof String)) {
      throw new IllegalArgumentException("prompt must be a string");
    }
    Object ref = m.get("reference");
    String reference;
    try {
      reference =
          ref == null || ref instanceof String ? (String) ref : JSON.writeValueAsString(ref);
    } catch (IOException e) {
      throw new IllegalArgumentException("reference: " + e.getMessage());
    }
    Object meta = m.get("metadata");
    if (meta != null && !(meta instanceof Map<?, ?>)) {
      throw new IllegalArgumentException("metadata must be an object");
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    if (meta instanceof Map<?, ?> mm) {
      mm.forEach(
          (k, v) -> {
            if (v != null) {
              metadata.put(String.valueOf(k), v);
            }
          });
    }
    return new RewardInput((String) prompt, completion, reference, metadata);
  }

  private static void write(Writer w, List<RewardRunner.Scored> scores, List<Integer> lines)
      throws IOException {
    for (int i = 0; i < scores.size(); i++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("line", lines.get(i));
      row.put("total", scores.get(i).total());
      row.put("millis", scores.get(i).millis());
      row.put("components", scores.get(i).components());
      w.write(JSON.writeValueAsString(row));
      w.write('\n');
    }
  }
}
