package dev.r1.contracts;

import java.util.Map;
import java.util.TreeMap;

/**
 * How to create one topic: plain data, so services and tests can build an {@code AdminClient
 * NewTopic}, a Spring {@code TopicBuilder} or a CLI command from it.
 *
 * @param name the topic name
 * @param partitions recommended partition count (the upper bound on consumers of one group)
 * @param configs topic-level configs ({@code cleanup.policy}, {@code retention.ms}, {@code
 *     compression.type}, {@code max.message.bytes}); immutable, sorted by key
 * @param valueType the record type every value on the topic decodes to
 */
public record TopicSpec(
    String name,
    int partitions,
    Map<String, String> configs,
    Class<? extends VersionedMessage> valueType) {

  public TopicSpec {
    Require.nonBlank("TopicSpec", "name", name);
    if (partitions < 1) {
      throw Require.violation("TopicSpec", "partitions", "must be >= 1 but was " + partitions);
    }
    Require.nonNull("TopicSpec", "configs", configs);
    configs = java.util.Collections.unmodifiableMap(new TreeMap<>(configs));
    Require.nonNull("TopicSpec", "valueType", valueType);
  }

  /** The {@code max.message.bytes} config as a number. */
  public int maxMessageBytes() {
    return Integer.parseInt(configs.get(Topics.MAX_MESSAGE_BYTES_CONFIG));
  }

  /** The {@code compression.type} config. */
  public String compressionType() {
    return configs.get(Topics.COMPRESSION_TYPE_CONFIG);
  }

  /** True for a {@code .dlt} topic. */
  public boolean deadLetter() {
    return name.endsWith(Topics.DLT_SUFFIX);
  }
}
