package dev.r1.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small Dockerfile reader: instructions with continuation lines joined, comments dropped. */
final class Dockerfiles {

  record Instruction(String keyword, String args) {}

  private Dockerfiles() {}

  static List<Instruction> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : lines) {
      String t = line.strip();
      if (t.startsWith("#") || (t.isEmpty() && current.isEmpty())) {
        continue;
      }
      if (t.endsWith("\\")) {
        current.append(t, 0, t.length() - 1).append(' ');
        continue;
      }
      current.append(t);
      String s = current.toString().strip();
      current.setLength(0);
      if (s.isEmpty()) {
        continue;
      }
      int sp = s.indexOf(' ');
      out.add(new Instruction(s.substring(0, sp).toUpperCase(), s.substring(sp + 1).strip()));
    }
    return out;
  }

  /** The last stage's instructions (after its FROM). */
  static List<Instruction> finalStage(Path file) {
    List<Instruction> all = read(file);
    int from = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).keyword().equals("FROM")) {
        from = i;
      }
    }
    return all.subList(from, all.size());
  }

  /** KEY=VALUE pairs of the final stage's ENV instructions. */
  static Map<String, String> env(Path file) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Instruction i : finalStage(file)) {
      if (i.keyword().equals("ENV")) {
        for (String pair : i.args().split("\\s+")) {
          int eq = pair.indexOf('=');
          if (eq > 0) {
            out.put(pair.substring(0, eq), pair.substring(eq + 1).replace("\"", ""));
          }
        }
      }
    }
    return out;
  }
}
