package dev.r1.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik generators for hostile JSON: random values (with edge-case numbers and strings), and
 * mutations of a valid document (a field removed, replaced by a random value, or an unknown field
 * added) at any depth, so a property sees inputs both far from and close to valid.
 */
public final class JsonArbitraries {

  public static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonArbitraries() {}

  /** Scalars as JSON text, biased towards values that break parsers. */
  public static Arbitrary<String> scalar() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(12).map(JsonArbitraries::quote),
        Arbitraries.integers().map(String::valueOf),
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.doubles().map(String::valueOf),
        Arbitraries.of(
            "true",
            "false",
            "null",
            "0",
            "-1",
            "1",
            "2",
            "0.5",
            "-0.0",
            "1e400",
            "-1e400",
            "1e-400",
            "2147483648",
            "9223372036854775808",
            "18446744073709551621",
            "1.0",
            "\"\"",
            "\" \"",
            "\"NaN\"",
            "\"1\"",
            "\"../../etc/passwd\"",
            "\"\\u0000\""));
  }

  /** Any JSON value as text, nested at most {@code depth} levels. */
  public static Arbitrary<String> value(int depth) {
    if (depth <= 0) {
      return scalar();
    }
    Arbitrary<String> inner = value(depth - 1);
    Arbitrary<String> array = inner.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]");
    Arbitrary<String> object =
        Combinators.combine(Arbitraries.strings().ofMaxLength(8), inner)
            .as((k, v) -> quote(k) + ":" + v)
            .list()
            .ofMaxSize(4)
            .map(l -> "{" + String.join(",", l) + "}");
    return Arbitraries.frequencyOf(Tuple.of(3, scalar()), Tuple.of(1, array), Tuple.of(1, object));
  }

  /** Raw text: random strings, JSON-looking fragments and truncated/garbled JSON. */
  public static Arbitrary<String> garbage() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(40),
        Arbitraries.strings().withChars("{}[]\":,0123456789.eE+-truefalsn \\").ofMaxLength(40),
        value(2),
        Combinators.combine(value(2), Arbitraries.integers().between(0, 40))
            .as((s, cut) -> s.substring(0, Math.min(cut, s.length()))));
  }

  /**
   * Mutations of {@code validJson}: up to four edits, each removing the node at a random path,
   * replacing it with a random value, or adding an unknown field next to it.
   */
  public static Arbitrary<String> mutations(String validJson, List<String> extraKeys) {
    JsonNode base = read(validJson);
    List<String> paths = new ArrayList<>();
    collect(base, "", paths);
    Arbitrary<String> key =
        Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(6), Arbitraries.of(extraKeys));
    Arbitrary<Edit> edit =
        Combinators.combine(
                Arbitraries.of(paths), Arbitraries.integers().between(0, 2), value(2), key)
            .as(Edit::new);
    return edit.list().ofMaxSize(4).map(edits -> apply(base, edits));
  }

  record Edit(String path, int kind, String value, String key) {}

  private static String apply(JsonNode base, List<Edit> edits) {
    JsonNode doc = base.deepCopy();
    for (Edit e : edits) {
      int slash = e.path().lastIndexOf('/');
      if (slash < 0) {
        continue;
      }
      JsonNode parent = doc.at(e.path().substring(0, slash));
      String last = e.path().substring(slash + 1);
      JsonNode replacement = readOrText(e.value());
      if (parent instanceof ObjectNode o && o.has(last)) {
        switch (e.kind()) {
          case 0 -> o.remove(last);
          case 1 -> o.set(last, replacement);
          default -> o.set(e.key(), replacement);
        }
      } else if (parent instanceof ArrayNode a && last.matches("\\d+")) {
        int i = Integer.parseInt(last);
        if (i < a.size()) {
          switch (e.kind()) {
            case 0 -> a.remove(i);
            case 1 -> a.set(i, replacement);
            default -> a.add(replacement);
          }
        }
      }
    }
    return doc.toString();
  }

  private static void collect(JsonNode node, String path, List<String> out) {
    if (!path.isEmpty()) {
      out.add(path);
    }
    if (node instanceof ObjectNode o) {
      o.fieldNames().forEachRemaining(n -> collect(o.get(n), path + "/" + n, out));
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        collect(a.get(i), path + "/" + i, out);
      }
    }
  }

  public static JsonNode read(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  private static JsonNode readOrText(String json) {
    try {
      JsonNode n = MAPPER.readTree(json);
      return n == null ? MAPPER.getNodeFactory().textNode(json) : n;
    } catch (Exception e) {
      return MAPPER.getNodeFactory().textNode(json);
    }
  }

  public static String quote(String s) {
    return s.chars()
        .mapToObj(
            c ->
                c == '"' || c == '\\'
                    ? "\\" + (char) c
                    : c < 0x20 ? String.format("\\u%04x", c) : String.valueOf((char) c))
        .collect(Collectors.joining("", "\"", "\""));
  }
}
