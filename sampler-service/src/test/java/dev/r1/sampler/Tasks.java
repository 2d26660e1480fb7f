package dev.r1.sampler;

import dev.r1.contracts.ChatMessage;
import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.PromptTask;
import dev.r1.contracts.SamplingParams;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;

/** Prompt tasks for tests and a raw producer. */
final class Tasks {

  private Tasks() {}

  static SamplingParams params(int g, int maxNew) {
    return new SamplingParams(g, 1.0, 1.0, 0, maxNew, List.of(), null);
  }

  static PromptTask text(String job, String id, String prompt, int g, int maxNew, Long requested) {
    return new PromptTask(
        PromptTask.SCHEMA_VERSION,
        job,
        id,
        null,
        0,
        0,
        0,
        prompt,
        null,
        "42",
        Map.of(),
        requested,
        params(g, maxNew));
  }

  static PromptTask chat(String job, String id, String question, int g, int maxNew) {
    return new PromptTask(
        PromptTask.SCHEMA_VERSION,
        job,
        id,
        id + "-g",
        3,
        0,
        1,
        null,
        List.of(new ChatMessage("system", "Think first."), new ChatMessage("user", question)),
        null,
        Map.of("numbers", List.of(1, 2)),
        null,
        params(g, maxNew));
  }

  static KafkaProducer<String, byte[]> producer(EmbeddedKafkaBroker broker) {
    return new KafkaProducer<>(
        KafkaTestUtils.producerProps(broker), new StringSerializer(), new ByteArraySerializer());
  }

  static void send(KafkaProducer<String, byte[]> producer, String topic, PromptTask t)
      throws Exception {
    producer.send(new ProducerRecord<>(topic, Keys.of(t), Json.encode(t))).get();
  }
}
