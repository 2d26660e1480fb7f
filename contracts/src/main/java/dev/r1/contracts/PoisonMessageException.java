package dev.r1.contracts;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A payload on an R1 topic cannot be turned into its message record: not JSON, a required field
 * missing, a wrong type, a violated contract, or a schema version newer than this consumer knows.
 *
 * <p>Thrown by {@link MessageDeserializer} (and {@link Json#decode}). It is a Kafka {@link
 * SerializationException}, so the Kafka consumer reports it as a {@code
 * RecordDeserializationException} with the partition and offset, and Spring's {@code
 * ErrorHandlingDeserializer} can catch it. Consumers route the record to {@link Topics#dlt(String)}
 * with {@link DeadLetter#of}; retrying a poison message never helps.
 */
public class PoisonMessageException extends SerializationException {

  private static final long serialVersionUID = 1L;

  /**
   * The pseudo-field used when the payload as a whole is at fault (empty, not JSON, not an object).
   */
  public static final String WHOLE_PAYLOAD = "$";

  private final String topic;
  private final String field;
  private final String reason;
  private final String messageType;
  private final String jobId;
  private final transient byte[] payload;

  /**
   * @param topic the topic the payload came from (may be null when decoding outside Kafka)
   * @param messageType simple name of the record type expected, e.g. {@code PromptTask}
   * @param field the JSON path of the field at fault, e.g. {@code completions[2].tokenIds}, or
   *     {@link #WHOLE_PAYLOAD}
   * @param reason what is wrong, in words
   * @param jobId the job id if one could be read from the payload, else null
   * @param payload the raw bytes (kept for the dead letter), may be null
   * @param cause the underlying parse or validation error, may be null
   */
  public PoisonMessageException(
      String topic,
      String messageType,
      String field,
      String reason,
      String jobId,
      byte[] payload,
      Throwable cause) {
    super(
        "Poison " + messageType + " on topic " + topic + " at field '" + field + "': " + reason,
        cause);
    this.topic = topic;
    this.messageType = messageType;
    this.field = field;
    this.reason = reason;
    this.jobId = jobId;
    this.payload = payload == null ? null : payload.clone();
  }

  /** The topic the payload came from (null when decoded outside Kafka). */
  public String topic() {
    return topic;
  }

  /** Simple name of the expected record type. */
  public String messageType() {
    return messageType;
  }

  /** JSON path of the field at fault, or {@link #WHOLE_PAYLOAD}. */
  public String field() {
    return field;
  }

  /** What is wrong, in words (without topic and field). */
  public String reason() {
    return reason;
  }

  /** The job id read from the payload, or null if there was none to read. */
  public String jobId() {
    return jobId;
  }

  /** A copy of the raw payload, or null. */
  public byte[] payload() {
    return payload == null ? null : payload.clone();
  }
}
