package dev.r1.reward;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads the shared reward fixtures (system property {@code r1.fixtures}). */
public final class Fixtures {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Fixtures() {}

  public static Path root() {
    return Path.of(System.getProperty("r1.fixtures", "../shared/fixtures"));
  }

  /** All lines of {@code rewards/<name>} as maps. */
  public static List<Map<String, Object>> rewards(String name) {
    Path p = root().resolve("rewards").resolve(name);
    List<Map<String, Object>> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(p)) {
        if (!line.isBlank()) {
          out.add(JSON.readValue(line, new TypeReference<Map<String, Object>>() {}));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read fixture " + p, e);
    }
    return out;
  }

  /** The cases of one reward in an open-r1/TRL fixture file. */
  @SuppressWarnings("unchecked")
  public static List<Map<String, Object>> cases(String file, String reward) {
    return rewards(file).stream().filter(m -> reward.equals(m.get("reward"))).toList();
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> kwargs(Map<String, Object> c) {
    return (Map<String, Object>) c.get("kwargs");
  }
}
