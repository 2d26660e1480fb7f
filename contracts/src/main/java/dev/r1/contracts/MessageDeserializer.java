package dev.r1.contracts;

import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka value deserializer for the R1 message types, via {@link Json#decode}.
 *
 * <p>The expected type is, in order: the class given to the constructor; the class named by the
 * {@value #VALUE_TYPE_CONFIG} config (when created by class name); otherwise the value type of the
 * record's topic in {@link Topics#ALL}. A null value decodes to null (Kafka's tombstone
 * convention). Any unusable payload throws {@link PoisonMessageException}, naming topic, field and
 * reason; route it to {@link Topics#dlt(String)} with {@link DeadLetter#of}.
 *
 * @param <T> the message type
 */
public class MessageDeserializer<T extends VersionedMessage> implements Deserializer<T> {

  /** Consumer config naming the value class, for deserializers created by class name. */
  public static final String VALUE_TYPE_CONFIG = "r1.contracts.value.type";

  private volatile Class<? extends VersionedMessage> type;

  /** A deserializer that takes its type from {@value #VALUE_TYPE_CONFIG} or from the topic. */
  public MessageDeserializer() {}

  /** A deserializer for one message type. */
  public MessageDeserializer(Class<T> type) {
    this.type = Require.nonNull("MessageDeserializer", "type", type);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (type != null) {
      return;
    }
    Object configured = configs.get(VALUE_TYPE_CONFIG);
    if (configured instanceof Class<?>) {
      type = asMessageType((Class<?>) configured);
    } else if (configured instanceof String && !((String) configured).isBlank()) {
      try {
        type = asMessageType(Class.forName(((String) configured).trim()));
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException(
            VALUE_TYPE_CONFIG + " names unknown class " + configured, e);
      }
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    Class<? extends VersionedMessage> target = type;
    if (target == null) {
      target =
          Topics.valueType(topic)
              .orElseThrow(
                  () ->
                      new SerializationException(
                          "no message type for topic '"
                              + topic
                              + "': construct MessageDeserializer with a class or set "
                              + VALUE_TYPE_CONFIG));
    }
    return (T) Json.decode(topic, data, target);
  }

  private static Class<? extends VersionedMessage> asMessageType(Class<?> c) {
    if (!VersionedMessage.class.isAssignableFrom(c)) {
      throw new IllegalArgumentException(
          VALUE_TYPE_CONFIG + " must name a VersionedMessage type but was " + c.getName());
    }
    return c.asSubclass(VersionedMessage.class);
  }
}
