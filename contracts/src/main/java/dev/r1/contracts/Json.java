package dev.r1.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON codec of the contracts: UTF-8 JSON via a Jackson 2 mapper configured for compatible
 * evolution and strict typing.
 *
 * <ul>
 *   <li>Unknown properties are ignored (a newer producer may add optional fields).
 *   <li>Required fields and types are strict: a missing primitive, {@code null} for a primitive, a
 *       string where a number belongs (or the reverse), a float where an int belongs, or a trailing
 *       token all fail; the records' compact constructors check everything else.
 *   <li>Null fields are omitted on write; instants are ISO-8601 strings.
 *   <li>A message whose {@code schemaVersion} is newer than the type's {@code SCHEMA_VERSION} is
 *       rejected before binding, with a message that says to upgrade the consumer.
 * </ul>
 *
 * Every decoding failure is a {@link PoisonMessageException} that names the field at fault as a
 * JSON path ({@code completions[3].behaviourLogprobs}).
 */
public final class Json {

  private static final ObjectMapper MAPPER = newMapper();

  private Json() {}

  /**
   * A new mapper with the contract configuration, for callers that must embed the codec elsewhere
   * (e.g. a Spring message converter). Prefer {@link #encode} and {@link #decode}.
   */
  public static ObjectMapper newMapper() {
    JsonMapper mapper =
        JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_EXTERNAL_TYPE_ID_PROPERTY)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();
    for (CoercionInputShape shape :
        new CoercionInputShape[] {
          CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean
        }) {
      mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
    }
    return mapper;
  }

  /** The shared mapper. Do not reconfigure it; use {@link #newMapper()} for a private copy. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** UTF-8 JSON of a message. */
  public static byte[] encode(Object message) {
    try {
      return MAPPER.writeValueAsBytes(message);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(
          "cannot write " + message.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /** JSON text of a message. */
  public static String encodeToString(Object message) {
    return new String(encode(message), StandardCharsets.UTF_8);
  }

  /** The newest schema version of {@code type} this code reads: its {@code SCHEMA_VERSION}. */
  public static int supportedSchemaVersion(Class<? extends VersionedMessage> type) {
    try {
      return type.getField("SCHEMA_VERSION").getInt(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(
          type.getName() + " declares no public static int SCHEMA_VERSION", e);
    }
  }

  /**
   * Decodes one payload read from {@code topic}.
   *
   * @param topic the source topic, used in error messages (may be null outside Kafka)
   * @param payload the UTF-8 JSON bytes
   * @param type the expected record type
   * @throws PoisonMessageException if the payload is null, empty, not a JSON object, has a missing
   *     or newer {@code schemaVersion}, a missing required field, a wrong type, or violates the
   *     record's contract; {@link PoisonMessageException#field()} names the field
   */
  public static <T extends VersionedMessage> T decode(String topic, byte[] payload, Class<T> type) {
    String typeName = type.getSimpleName();
    if (payload == null) {
      throw poison(
          topic,
          typeName,
          PoisonMessageException.WHOLE_PAYLOAD,
          "payload is null",
          null,
          null,
          null);
    }
    if (payload.length == 0) {
      throw poison(
          topic,
          typeName,
          PoisonMessageException.WHOLE_PAYLOAD,
          "payload is empty (0 bytes)",
          null,
          payload,
          null);
    }
    Header header = scanHeader(topic, typeName, payload);
    int supported = supportedSchemaVersion(type);
    if (header.schemaVersion == null) {
      throw poison(topic, typeName, "schemaVersion", "is required", header.jobId, payload, null);
    }
    if (header.schemaVersion > supported) {
      throw poison(
          topic,
          typeName,
          "schemaVersion",
          "schemaVersion "
              + header.schemaVersion
              + " is newer than the newest "
              + typeName
              + " version this consumer reads ("
              + supported
              + "); upgrade the consumer before the producer",
          header.jobId,
          payload,
          null);
    }
    try {
      return MAPPER.readValue(payload, type);
    } catch (ValueInstantiationException e) {
      ContractViolationException violation = findViolation(e);
      String path = path(e);
      if (violation != null) {
        String field = path.isEmpty() ? violation.field() : path + "." + violation.field();
        throw poison(topic, typeName, field, violation.getMessage(), header.jobId, payload, e);
      }
      throw poison(
          topic, typeName, orWhole(path), e.getOriginalMessage(), header.jobId, payload, e);
    } catch (JsonMappingException e) {
      String field = path(e);
      if (field.isEmpty()) {
        field = missingPropertyName(e.getOriginalMessage());
      }
      String reason = e.getOriginalMessage();
      if (reason != null && reason.startsWith("Cannot map `null` into type")) {
        int end = reason.indexOf(" (set ");
        reason =
            "is required (missing or null; " + (end < 0 ? reason : reason.substring(0, end)) + ")";
      }
      throw poison(topic, typeName, orWhole(field), reason, header.jobId, payload, e);
    } catch (JsonProcessingException e) {
      throw poison(
          topic,
          typeName,
          PoisonMessageException.WHOLE_PAYLOAD,
          "not valid JSON: " + e.getOriginalMessage(),
          header.jobId,
          payload,
          e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Top-level schemaVersion and jobId, read with a streaming pass that skips nested values. */
  private static Header scanHeader(String topic, String typeName, byte[] payload) {
    Header header = new Header();
    try (JsonParser p = MAPPER.getFactory().createParser(payload)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw poison(
            topic,
            typeName,
            PoisonMessageException.WHOLE_PAYLOAD,
            "expected a JSON object but found " + describe(first),
            null,
            payload,
            null);
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("schemaVersion".equals(name)) {
          if (value != JsonToken.VALUE_NUMBER_INT
              || p.getNumberType() != JsonParser.NumberType.INT) {
            throw poison(
                topic,
                typeName,
                "schemaVersion",
                "must be an int but was " + describe(value) + " " + p.getText(),
                header.jobId,
                payload,
                null);
          }
          header.schemaVersion = p.getIntValue();
        } else if ("jobId".equals(name) && value == JsonToken.VALUE_STRING) {
          header.jobId = p.getText();
        } else {
          p.skipChildren();
        }
      }
      return header;
    } catch (PoisonMessageException e) {
      throw e;
    } catch (JsonProcessingException e) {
      throw poison(
          topic,
          typeName,
          PoisonMessageException.WHOLE_PAYLOAD,
          "not valid JSON: " + e.getOriginalMessage(),
          header.jobId,
          payload,
          e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String describe(JsonToken token) {
    if (token == null) {
      return "end of input";
    }
    switch (token) {
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return token.toString();
    }
  }

  private static ContractViolationException findViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ContractViolationException) {
        return (ContractViolationException) t;
      }
    }
    return null;
  }

  /** The JSON path of a mapping failure, e.g. {@code completions[2].tokenIds}. */
  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  /** Jackson names a missing required creator property only in the message text. */
  private static String missingPropertyName(String message) {
    if (message == null) {
      return "";
    }
    int start = message.indexOf("property '");
    if (start < 0) {
      return "";
    }
    start += "property '".length();
    int end = message.indexOf('\'', start);
    return end < 0 ? "" : message.substring(start, end);
  }

  private static String orWhole(String field) {
    return field == null || field.isEmpty() ? PoisonMessageException.WHOLE_PAYLOAD : field;
  }

  private static PoisonMessageException poison(
      String topic,
      String type,
      String field,
      String reason,
      String jobId,
      byte[] payload,
      Throwable cause) {
    return new PoisonMessageException(topic, type, field, reason, jobId, payload, cause);
  }

  private static final class Header {
    Integer schemaVersion;
    String jobId;
  }
}
