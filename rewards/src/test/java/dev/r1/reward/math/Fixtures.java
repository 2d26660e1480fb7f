package dev.r1.reward.math;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Locates shared fixtures and benchmark data (system properties r1.fixtures and r1.data). */
final class Fixtures {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Fixtures() {}

  static Path fixtures() {
    return resolve(System.getProperty("r1.fixtures", "../shared/fixtures"), "fixtures");
  }

  static Path data() {
    return resolve(System.getProperty("r1.data", "../shared/data"), "data");
  }

  private static Path resolve(String configured, String leaf) {
    Path p = Path.of(configured);
    if (Files.isDirectory(p)) {
      return p;
    }
    for (Path c : List.of(Path.of("..", "..", "shared", leaf), Path.of("..", "shared", leaf))) {
      if (Files.isDirectory(c)) {
        return c;
      }
    }
    throw new IllegalStateException("fixture folder not found: " + p.toAbsolutePath());
  }

  static List<JsonNode> jsonl(Path file) throws IOException {
    List<JsonNode> rows = new ArrayList<>();
    int line = 0;
    for (String s : Files.readAllLines(file)) {
      line++;
      if (s.isBlank()) {
        continue;
      }
      try {
        rows.add(JSON.readTree(s));
      } catch (IOException e) {
        throw new IOException(file + ":" + line + ": " + e.getMessage(), e);
      }
    }
    return rows;
  }
}
