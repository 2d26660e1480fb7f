package dev.r1.reward.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;

/** Raw producers and readers for tests against the embedded broker. */
final class KafkaTopics {

  private KafkaTopics() {}

  /** Sends raw bytes and waits for the acknowledgement; returns the partition written. */
  static int send(EmbeddedKafkaBroker broker, String topic, String key, byte[] value)
      throws Exception {
    Map<String, Object> p = KafkaTestUtils.producerProps(broker);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      return producer.send(new ProducerRecord<>(topic, key, value)).get().partition();
    }
  }

  /** Sends several records in one producer batch (a consumer polls them together). */
  static void sendAll(EmbeddedKafkaBroker broker, String topic, String key, List<byte[]> values)
      throws Exception {
    Map<String, Object> p = KafkaTestUtils.producerProps(broker);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 50);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
      for (byte[] v : values) {
        acks.add(producer.send(new ProducerRecord<>(topic, key, v)));
      }
      for (java.util.concurrent.Future<?> a : acks) {
        a.get();
      }
    }
  }

  /**
   * Reads {@code topic} from the beginning until {@code count} records with key {@code key} have
   * arrived (or the timeout passes) and returns them in offset order per partition.
   */
  static List<ConsumerRecord<String, byte[]>> await(
      EmbeddedKafkaBroker broker, String topic, String key, int count, Duration timeout) {
    return await(broker, topic, r -> key.equals(r.key()), count, timeout);
  }

  static List<ConsumerRecord<String, byte[]>> await(
      EmbeddedKafkaBroker broker,
      String topic,
      Predicate<ConsumerRecord<String, byte[]>> match,
      int count,
      Duration timeout) {
    Map<String, Object> c =
        KafkaTestUtils.consumerProps(broker, "test-" + UUID.randomUUID(), false);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 * 1024 * 1024);
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> parts = new ArrayList<>();
      while (parts.isEmpty() && System.nanoTime() < deadline) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        if (infos != null) {
          infos.forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
        }
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      while (out.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (match.test(r)) {
            out.add(r);
          }
        }
      }
    }
    return out;
  }
}
