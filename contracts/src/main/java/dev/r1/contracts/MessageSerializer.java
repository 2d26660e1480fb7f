package dev.r1.contracts;

import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka value serializer for every R1 message type: UTF-8 JSON via {@link Json#encode}. A null
 * message is written as a null value. Stateless and thread-safe; usable by class name ({@code
 * value.serializer=dev.r1.contracts.MessageSerializer}).
 *
 * @param <T> the message type
 */
public class MessageSerializer<T extends VersionedMessage> implements Serializer<T> {

  /** A serializer for any message type. */
  public MessageSerializer() {}

  @Override
  public byte[] serialize(String topic, T data) {
    return data == null ? null : Json.encode(data);
  }
}
