package dev.r1.contracts;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * A record a consumer could not process, with the reason. Value type of every {@code *.dlt} topic
 * ({@link Topics#dlt(String)}); key: the original record's key (so a dead group stays next to its
 * siblings). Nothing is dropped silently: a consumer either processes a record or dead-letters it.
 *
 * <p>Produced by any consumer (sampler, reward, trainer, distill, gateway) on poison payloads
 * ({@link PoisonMessageException}) and on processing failures that retries cannot fix; consumed by
 * operators and the gateway's job view. Retention 14 days.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION} when written by this code
 * @param jobId the job, if the payload or key named one; null otherwise (the only record type where
 *     the job id may be missing)
 * @param originalTopic the topic the record was read from
 * @param partition its partition, >= 0
 * @param offset its offset, >= 0
 * @param key its key as UTF-8 text, or null
 * @param payloadBase64 the raw value bytes, base64 (standard alphabet); empty for an empty value,
 *     null for a null value
 * @param reason why it was dead-lettered
 * @param field the JSON path at fault for a poison payload, else null
 * @param exceptionClass the failure's exception class name
 * @param consumerGroup the consumer group that gave up on it
 * @param timestamp when it was dead-lettered
 */
public record DeadLetter(
    int schemaVersion,
    String jobId,
    String originalTopic,
    int partition,
    long offset,
    String key,
    String payloadBase64,
    String reason,
    String field,
    String exceptionClass,
    String consumerGroup,
    Instant timestamp)
    implements VersionedMessage {

  /** The schema version this code writes and the newest it reads. */
  public static final int SCHEMA_VERSION = 1;

  private static final String T = "DeadLetter";

  public DeadLetter {
    Require.schemaVersion(T, schemaVersion);
    if (jobId != null) {
      Require.jobId(T, jobId);
    }
    Require.nonBlank(T, "originalTopic", originalTopic);
    Require.nonNegative(T, "partition", partition);
    Require.nonNegative(T, "offset", offset);
    if (payloadBase64 != null) {
      try {
        Base64.getDecoder().decode(payloadBase64);
      } catch (IllegalArgumentException e) {
        throw Require.violation(T, "payloadBase64", "is not valid base64: " + e.getMessage());
      }
    }
    Require.nonBlank(T, "reason", reason);
    Require.nonBlank(T, "exceptionClass", exceptionClass);
    Require.nonBlank(T, "consumerGroup", consumerGroup);
    Require.nonNull(T, "timestamp", timestamp);
  }

  /**
   * The dead letter for a poison payload: topic, field, reason, job id and payload come from the
   * exception.
   */
  public static DeadLetter of(
      PoisonMessageException poison,
      int partition,
      long offset,
      String key,
      String consumerGroup,
      Instant timestamp) {
    byte[] payload = poison.payload();
    String jobId = poison.jobId();
    if (jobId == null || !Require.JOB_ID.matcher(jobId).matches()) {
      jobId = Keys.jobIdOf(key);
    }
    return new DeadLetter(
        SCHEMA_VERSION,
        jobId,
        poison.topic() == null ? "unknown" : poison.topic(),
        partition,
        offset,
        key,
        payload == null ? null : Base64.getEncoder().encodeToString(payload),
        poison.reason(),
        poison.field(),
        poison.getClass().getName(),
        consumerGroup,
        timestamp);
  }

  /**
   * The dead letter for a record that decoded but could not be processed (e.g. a reward worker that
   * keeps failing on it).
   */
  public static DeadLetter ofFailure(
      String originalTopic,
      int partition,
      long offset,
      String key,
      byte[] payload,
      Throwable failure,
      String consumerGroup,
      Instant timestamp) {
    String reason = failure.getMessage() == null ? failure.toString() : failure.getMessage();
    return new DeadLetter(
        SCHEMA_VERSION,
        Keys.jobIdOf(key),
        originalTopic,
        partition,
        offset,
        key,
        payload == null ? null : Base64.getEncoder().encodeToString(payload),
        reason,
        null,
        failure.getClass().getName(),
        consumerGroup,
        timestamp);
  }

  /** The raw payload bytes, or null if the original value was null. */
  public byte[] payload() {
    return payloadBase64 == null ? null : Base64.getDecoder().decode(payloadBase64);
  }

  /** The payload as UTF-8 text, or null if it was null or is not valid UTF-8. */
  public String payloadText() {
    byte[] bytes = payload();
    if (bytes == null) {
      return null;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
