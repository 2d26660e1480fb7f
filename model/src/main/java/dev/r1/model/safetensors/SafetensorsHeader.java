package dev.r1.model.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated JSON header of one safetensors file. Validation follows the reference
 * Rust implementation: every tensor's byte range matches dtype times shape, the ranges tile the
 * data section without gaps or overlaps, and the data section ends where the file ends.
 */
final class SafetensorsHeader {

  /** Largest header accepted, as in the reference implementation. */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  static final String METADATA_KEY = "__metadata__";

  static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** One header entry; offsets are relative to the start of the data section. */
  record Entry(String name, Dtype dtype, long[] shape, long begin, long end) {}

  private final List<Entry> entries;
  private final Map<String, String> metadata;

  private SafetensorsHeader(List<Entry> entries, Map<String, String> metadata) {
    this.entries = entries;
    this.metadata = metadata;
  }

  /** Entries in header order. */
  List<Entry> entries() {
    return entries;
  }

  /** The {@code __metadata__} map (empty when absent). */
  Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Parses and validates a header.
   *
   * @param headerBytes the UTF-8 JSON header (without the 8-byte length prefix)
   * @param dataLength bytes in the data section, i.e. file size - 8 - header length
   * @param source the file name for error messages
   */
  static SafetensorsHeader parse(byte[] headerBytes, long dataLength, String source) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(headerBytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new SafetensorsException("header of " + source + " is not valid UTF-8", e);
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JacksonException e) {
      throw new SafetensorsException(
          "header of " + source + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new SafetensorsException(
          "header of " + source + " must be a JSON object, found " + describe(root));
    }
    Map<String, String> metadata = Map.of();
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      if (METADATA_KEY.equals(field.getKey())) {
        metadata = parseMetadata(field.getValue(), source);
      } else {
        entries.add(parseEntry(field.getKey(), field.getValue(), dataLength, source));
      }
    }
    checkLayout(entries, dataLength, source);
    return new SafetensorsHeader(Collections.unmodifiableList(entries), metadata);
  }

  private static Map<String, String> parseMetadata(JsonNode node, String source) {
    if (node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw new SafetensorsException(
          METADATA_KEY + " in " + source + " must be an object, found " + describe(node));
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!e.getValue().isTextual()) {
        throw new SafetensorsException(
            METADATA_KEY
                + " entry '"
                + e.getKey()
                + "' in "
                + source
                + " must be a string, found "
                + describe(e.getValue()));
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    return Collections.unmodifiableMap(out);
  }

  private static Entry parseEntry(String name, JsonNode node, long dataLength, String source) {
    String where = "tensor '" + name + "' in " + source;
    if (!node.isObject()) {
      throw new SafetensorsException(where + ": entry must be an object, found " + describe(node));
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new SafetensorsException(
          where + ": 'dtype' must be a string, found " + describe(dtypeNode));
    }
    Dtype dtype = Dtype.parseOrNull(dtypeNode.textValue());
    if (dtype == null) {
      throw new SafetensorsException(
          where
              + ": unknown dtype '"
              + dtypeNode.textValue()
              + "' (known: "
              + Arrays.toString(Dtype.values())
              + ")");
    }
    long[] shape = longArray(node.get("shape"), "shape", -1, where);
    long[] offsets = longArray(node.get("data_offsets"), "data_offsets", 2, where);
    long numel = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new SafetensorsException(
            where + ": negative dimension in shape " + Arrays.toString(shape));
      }
      numel = multiply(numel, d, where, shape);
    }
    long expectedBytes = multiply(numel, dtype.byteSize(), where, shape);
    long begin = offsets[0];
    long end = offsets[1];
    if (begin < 0 || end < begin) {
      throw new SafetensorsException(
          where + ": invalid data_offsets [" + begin + ", " + end + "] (need 0 <= begin <= end)");
    }
    if (end - begin != expectedBytes) {
      throw new SafetensorsException(
          where
              + ": data_offsets ["
              + begin
              + ", "
              + end
              + "] span "
              + (end - begin)
              + " bytes but "
              + dtype
              + Arrays.toString(shape)
              + " needs "
              + expectedBytes);
    }
    if (end > dataLength) {
      throw new SafetensorsException(
          where
              + ": data_offsets end "
              + end
              + " lies past the end of the data section ("
              + dataLength
              + " bytes); file truncated?");
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  private static long multiply(long a, long b, String where, long[] shape) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      throw new SafetensorsException(
          where + ": shape " + Arrays.toString(shape) + " overflows a 64-bit byte count", e);
    }
  }

  private static long[] longArray(JsonNode node, String field, int requiredLength, String where) {
    if (node == null || !node.isArray()) {
      throw new SafetensorsException(
          where + ": '" + field + "' must be an array, found " + describe(node));
    }
    if (requiredLength >= 0 && node.size() != requiredLength) {
      throw new SafetensorsException(
          where
              + ": '"
              + field
              + "' must have "
              + requiredLength
              + " elements, found "
              + node.size());
    }
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong()) {
        throw new SafetensorsException(
            where + ": '" + field + "' element " + i + " must be a 64-bit integer, found " + v);
      }
      out[i] = v.longValue();
    }
    return out;
  }

  /** Checks that the byte ranges tile [0, dataLength) exactly, naming the tensors at fault. */
  private static void checkLayout(List<Entry> entries, long dataLength, String source) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long position = 0;
    Entry previous = null;
    for (Entry e : sorted) {
      if (e.begin() < position) {
        throw new SafetensorsException(
            "tensor '"
                + e.name()
                + "' in "
                + source
                + ": data_offsets ["
                + e.begin()
                + ", "
                + e.end()
                + "] overlap tensor '"
                + previous.name()
                + "' ["
                + previous.begin()
                + ", "
                + previous.end()
                + "]");
      }
      if (e.begin() > position) {
        throw new SafetensorsException(
            "tensor '"
                + e.name()
                + "' in "
                + source
                + ": data_offsets begin "
                + e.begin()
                + " leaves a gap of "
                + (e.begin() - position)
                + " unused bytes after "
                + (previous == null ? "the header" : "tensor '" + previous.name() + "'"));
      }
      position = e.end();
      previous = e;
    }
    if (position != dataLength) {
      throw new SafetensorsException(
          source
              + ": tensors cover "
              + position
              + " data bytes but the file has "
              + dataLength
              + " bytes after the header ("
              + (dataLength - position)
              + " trailing bytes)");
    }
  }

  private static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    String text = node.toString();
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
        + " "
        + (text.length() > 60 ? text.substring(0, 60) + "..." : text);
  }
}
