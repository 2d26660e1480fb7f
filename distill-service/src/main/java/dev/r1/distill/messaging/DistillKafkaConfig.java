package dev.r1.distill.messaging;

import dev.r1.contracts.TopicSpec;
import dev.r1.contracts.Topics;
import dev.r1.distill.DistillProperties;
import dev.r1.service.kafka.ConsumerDefaults;
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
 * Kafka wiring of the distill-service: one producer (contract records encoded by the contract's
 * codec), and raw byte consumers for submitted jobs, job events (user requests and the events of
 * the GRPO stages a pipeline started) and scored groups (rejection sampling), decoded by the
 * listeners so a poison record can be dead-lettered with its payload.
 */
@Configuration(proxyBeanMethods = false)
class DistillKafkaConfig {

  @Bean
  KafkaTemplate<String, byte[]> distillKafkaTemplate(KafkaProperties kafka) {
    Map<String, Object> p = new HashMap<>(kafka.buildProducerProperties());
    p.putAll(Topics.producerConfigs(Topics.SCORED_GROUPS));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(p));
  }

  private static DefaultKafkaConsumerFactory<String, byte[]> consumers(
      KafkaProperties kafka, String topic, String group) {
    Map<String, Object> c = ConsumerDefaults.apply(new HashMap<>(kafka.buildConsumerProperties()));
    c.putAll(Topics.consumerConfigs(topic));
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new DefaultKafkaConsumerFactory<>(c);
  }

  private static ConcurrentMessageListenerContainer<String, byte[]> container(
      DefaultKafkaConsumerFactory<String, byte[]> factory,
      String topic,
      String group,
      Object listener) {
    ContainerProperties cp = new ContainerProperties(topic);
    cp.setGroupId(group);
    cp.setMessageListener(listener);
    cp.setAckMode(ContainerProperties.AckMode.RECORD);
    return new ConcurrentMessageListenerContainer<>(factory, cp);
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> distillJobContainer(
      KafkaProperties kafka, DistillProperties props, JobListener listener) {
    return container(
        consumers(kafka, Topics.JOBS, props.consumerGroup()),
        Topics.JOBS,
        props.consumerGroup(),
        listener);
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> distillScoredGroupContainer(
      KafkaProperties kafka, DistillProperties props, ScoredGroupListener listener) {
    return container(
        consumers(kafka, Topics.SCORED_GROUPS, props.consumerGroup()),
        Topics.SCORED_GROUPS,
        props.consumerGroup(),
        listener);
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> distillJobEventContainer(
      KafkaProperties kafka, DistillProperties props, JobEventListener listener) {
    String group = props.consumerGroup() + "-events";
    return container(
        consumers(kafka, Topics.JOB_EVENTS, group), Topics.JOB_EVENTS, group, listener);
  }

  /** The topics the distill-service reads and writes, as the contract specifies them. */
  @Bean
  KafkaAdmin.NewTopics distillTopics(DistillProperties props) {
    if (!props.createTopics()) {
      return new KafkaAdmin.NewTopics();
    }
    return new KafkaAdmin.NewTopics(
        List.of(
                Topics.PROMPTS,
                Topics.SCORED_GROUPS,
                Topics.JOB_EVENTS,
                Topics.JOBS,
                Topics.dlt(Topics.SCORED_GROUPS),
                Topics.dlt(Topics.JOBS))
            .stream()
            .map(DistillKafkaConfig::topic)
            .toArray(org.apache.kafka.clients.admin.NewTopic[]::new));
  }

  private static org.apache.kafka.clients.admin.NewTopic topic(String name) {
    TopicSpec spec = Topics.spec(name).orElseThrow();
    return TopicBuilder.name(name).partitions(spec.partitions()).configs(spec.configs()).build();
  }
}
