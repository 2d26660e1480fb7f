package dev.r1.gateway.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.r1.gateway.web.ApiProblem;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Checks one JSONL line: UTF-8, one JSON object, a {@code prompt} or {@code question} string and an
 * {@code answer} or {@code solution} string. Failures name the 1-based line.
 */
final class LineValidator {

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private LineValidator() {}

  /** Validates the line; returns false for a blank line (skipped), true for a record. */
  static boolean validate(long line, byte[] bytes, int length) {
    String text = utf8(line, bytes, length);
    if (text.isBlank()) {
      return false;
    }
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      String reason = e.getOriginalMessage();
      int nl = reason.indexOf('\n');
      throw ApiProblem.badLine(
          line, null, "is not valid JSON: " + (nl < 0 ? reason : reason.substring(0, nl)));
    }
    if (node == null || !node.isObject()) {
      throw ApiProblem.badLine(
          line, null, "must be a JSON object but was " + kind(node) + " (one example per line)");
    }
    requireString(line, node, "prompt", "question");
    requireString(line, node, "answer", "solution");
    return true;
  }

  private static void requireString(long line, JsonNode node, String name, String alias) {
    String present = node.has(name) ? name : node.has(alias) ? alias : null;
    if (present == null) {
      throw ApiProblem.badLine(
          line, name, name + " is missing (give a '" + name + "' or '" + alias + "' string)");
    }
    JsonNode value = node.get(present);
    if (!value.isTextual()) {
      throw ApiProblem.badLine(line, present, present + " must be a string but was " + kind(value));
    }
    if (value.textValue().isBlank()) {
      throw ApiProblem.badLine(line, present, present + " must not be blank");
    }
  }

  private static String utf8(long line, byte[] bytes, int length) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
    try {
      return decoder.decode(in).toString();
    } catch (CharacterCodingException e) {
      throw ApiProblem.badLine(
          line, null, "is not valid UTF-8 (bad byte near column " + (in.position() + 1) + ")");
    }
  }

  private static String kind(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "empty";
    }
    if (node.isArray()) {
      return "an array";
    }
    if (node.isObject()) {
      return "an object";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    return "null";
  }
}
