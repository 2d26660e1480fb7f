package dev.r1.trainer.messaging;

import dev.r1.contracts.TopicSpec;
import dev.r1.contracts.Topics;
import dev.r1.service.kafka.ConsumerDefaults;
import dev.r1.trainer.TrainerProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;

/**
 * Kafka wiring of the trainer: one producer (records encoded by the contract's codec), and raw byte
 * consumers for submitted jobs, job control events and scored groups, decoded by the listeners so a
 * poison record can be dead-lettered with its payload.
 */
@Configuration(proxyBeanMethods = false)
class TrainerKafkaConfig {

  @Bean
  KafkaTemplate<String, byte[]> trainerKafkaTemplate(KafkaProperties kafka) {
    Map<String, Object> p = new HashMap<>(kafka.buildProducerProperties());
    p.putAll(Topics.producerConfigs(Topics.SCORED_GROUPS));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(p));
  }

  private static DefaultKafkaConsumerFactory<String, byte[]> consumers(
      KafkaProperties kafka, MeterRegistry meters, String topic, String group) {
    Map<String, Object> c = ConsumerDefaults.apply(new HashMap<>(kafka.buildConsumerProperties()));
    c.putAll(Topics.consumerConfigs(topic));
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return KafkaClientMeters.bind(new DefaultKafkaConsumerFactory<>(c), meters, group);
  }

  private static ConcurrentMessageListenerContainer<String, byte[]> container(
      DefaultKafkaConsumerFactory<String, byte[]> factory,
      String topic,
      String group,
      Object listener,
      ContainerProperties.AckMode ackMode,
      boolean syncCommits) {
    ContainerProperties cp = new ContainerProperties(topic);
    cp.setGroupId(group);
    cp.setMessageListener(listener);
    cp.setAckMode(ackMode);
    cp.setSyncCommits(syncCommits);
    return new ConcurrentMessageListenerContainer<>(factory, cp);
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> scoredGroupContainer(
      KafkaProperties kafka,
      TrainerProperties props,
      ScoredGroupListener listener,
      MeterRegistry meters) {
    return container(
        consumers(kafka, meters, Topics.SCORED_GROUPS, props.consumerGroup()),
        Topics.SCORED_GROUPS,
        props.consumerGroup(),
        listener,
        // one commit per poll: a step's groups arrive together, and a synchronous commit per
        // record cost a broker round trip each (about 0.1 s per step); a group redelivered after a
        // crash between hand-over and commit is dropped as a duplicate or re-published; for the
        // same reason the commit does not wait for the broker before the next poll
        ContainerProperties.AckMode.BATCH,
        false);
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> jobContainer(
      KafkaProperties kafka, TrainerProperties props, JobListener listener, MeterRegistry meters) {
    return container(
        consumers(kafka, meters, Topics.JOBS, props.consumerGroup()),
        Topics.JOBS,
        props.consumerGroup(),
        listener,
        ContainerProperties.AckMode.RECORD,
        true);
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> jobControlContainer(
      KafkaProperties kafka,
      TrainerProperties props,
      JobControlListener listener,
      MeterRegistry meters) {
    String group = props.consumerGroup() + "-control";
    return container(
        consumers(kafka, meters, Topics.JOB_EVENTS, group),
        Topics.JOB_EVENTS,
        group,
        listener,
        ContainerProperties.AckMode.RECORD,
        true);
  }

  /** The topics the trainer reads and writes, as the contract specifies them. */
  @Bean
  KafkaAdmin.NewTopics trainerTopics(TrainerProperties props) {
    if (!props.createTopics()) {
      return new KafkaAdmin.NewTopics();
    }
    return new KafkaAdmin.NewTopics(
        List.of(
                Topics.PROMPTS,
                Topics.SCORED_GROUPS,
                Topics.TRAINING_BATCHES,
                Topics.JOB_EVENTS,
                Topics.JOBS,
                Topics.dlt(Topics.SCORED_GROUPS),
                Topics.dlt(Topics.JOBS))
            .stream()
            .map(TrainerKafkaConfig::topic)
            .toArray(org.apache.kafka.clients.admin.NewTopic[]::new));
  }

  private static org.apache.kafka.clients.admin.NewTopic topic(String name) {
    TopicSpec spec = Topics.spec(name).orElseThrow();
    return TopicBuilder.name(name).partitions(spec.partitions()).configs(spec.configs()).build();
  }
}
