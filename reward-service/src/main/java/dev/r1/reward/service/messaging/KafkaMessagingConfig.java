package dev.r1.reward.service.messaging;

import dev.r1.contracts.ContractViolationException;
import dev.r1.contracts.PoisonMessageException;
import dev.r1.contracts.TopicSpec;
import dev.r1.contracts.Topics;
import dev.r1.reward.service.RewardServiceProperties;
import dev.r1.reward.service.scoring.InvalidRewardSpecException;
import dev.r1.service.kafka.ConsumerDefaults;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.ExponentialBackOffWithMaxRetries;

/**
 * Kafka wiring: the sampled-group consumer (raw bytes, decoded by the listener so poison can be
 * dead-lettered with its payload), the producers with the contract's topic overrides, the error
 * handler (poison and bad specs straight to the dead-letter topic, failed publishes retried with
 * exponential back-off first) and the topics.
 */
@Configuration(proxyBeanMethods = false)
class KafkaMessagingConfig {

  @Bean
  ConsumerFactory<String, byte[]> sampledGroupConsumerFactory(
      KafkaProperties kafka, RewardServiceProperties props, MeterRegistry meters) {
    Map<String, Object> c = ConsumerDefaults.apply(new HashMap<>(kafka.buildConsumerProperties()));
    c.putAll(Topics.consumerConfigs(Topics.SAMPLED_GROUPS));
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, props.consumer().groupId());
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, props.consumer().maxPollRecords());
    c.put(
        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
        (int) props.consumer().maxPollInterval().toMillis());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return KafkaClientMeters.bind(
        new DefaultKafkaConsumerFactory<>(c), meters, props.consumer().groupId());
  }

  @Bean
  DefaultErrorHandler sampledGroupErrorHandler(
      DeadLetterRecoverer recoverer, RewardServiceProperties props) {
    ExponentialBackOffWithMaxRetries backOff =
        new ExponentialBackOffWithMaxRetries(props.consumer().retryAttempts());
    backOff.setInitialInterval(props.consumer().retryBackoff().toMillis());
    backOff.setMultiplier(2.0);
    backOff.setMaxInterval(30_000);
    DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, backOff);
    handler.addNotRetryableExceptions(
        PoisonMessageException.class,
        ContractViolationException.class,
        InvalidRewardSpecException.class,
        RecordTooLargeException.class);
    return handler;
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> sampledGroupContainer(
      ConsumerFactory<String, byte[]> sampledGroupConsumerFactory,
      SampledGroupListener listener,
      DefaultErrorHandler sampledGroupErrorHandler,
      RewardServiceProperties props) {
    ContainerProperties cp = new ContainerProperties(props.topics().sampledGroups());
    cp.setGroupId(props.consumer().groupId());
    cp.setMessageListener(listener); // a batch listener: a poll's groups are published together
    // the offsets of a poll are committed without waiting for the broker: the next poll starts a
    // round trip sooner, and a commit lost in a crash only redelivers groups the trainer drops as
    // duplicates
    cp.setSyncCommits(false);
    ConcurrentMessageListenerContainer<String, byte[]> container =
        new ConcurrentMessageListenerContainer<>(sampledGroupConsumerFactory, cp);
    container.setConcurrency(props.consumer().concurrency());
    container.setCommonErrorHandler(sampledGroupErrorHandler);
    return container;
  }

  /** The topics this service reads and writes, as the contract specifies them. */
  @Bean
  KafkaAdmin.NewTopics rewardTopics(RewardServiceProperties props) {
    List<NewTopic> topics = new ArrayList<>();
    if (props.createTopics()) {
      topics.add(topic(props.topics().sampledGroups(), Topics.SAMPLED_GROUPS));
      topics.add(topic(props.topics().scoredGroups(), Topics.SCORED_GROUPS));
      topics.add(topic(props.topics().deadLetters(), Topics.SAMPLED_GROUPS_DLT));
    }
    return new KafkaAdmin.NewTopics(topics.toArray(new NewTopic[0]));
  }

  private static NewTopic topic(String name, String contractTopic) {
    TopicSpec spec = Topics.spec(contractTopic).orElseThrow();
    return TopicBuilder.name(name).partitions(spec.partitions()).configs(spec.configs()).build();
  }
}
