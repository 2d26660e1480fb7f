package dev.r1.sampler;

import ai.djl.ndarray.NDManager;
import dev.r1.contracts.MessageSerializer;
import dev.r1.contracts.TopicSpec;
import dev.r1.contracts.Topics;
import dev.r1.contracts.VersionedMessage;
import dev.r1.sampler.generation.PromptListener;
import dev.r1.sampler.policy.PolicyWatcher;
import dev.r1.service.kafka.ConsumerDefaults;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;

/**
 * Beans of the sampler: the DJL manager the models live in, the producer, and the two listener
 * containers (prompts in the shared group, policy-published in this instance's own group).
 */
@Configuration(proxyBeanMethods = false)
class SamplerConfiguration {

  /** The sampled-group producer's linger: an upper bound, the listener flushes each batch. */
  static final int GROUP_LINGER_MS = 50;

  /** The sampled-group producer's batch size: a step's groups per partition fit in one batch. */
  static final int GROUP_BATCH_BYTES = 1 << 20;

  @Bean(destroyMethod = "close")
  NDManager samplerNdManager() {
    if (System.getProperty("OPT_OUT_TRACKING") == null) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
    return NDManager.newBaseManager();
  }

  @Bean
  KafkaTemplate<String, VersionedMessage> samplerKafkaTemplate(KafkaProperties kafka) {
    Map<String, Object> props = new HashMap<>(kafka.buildProducerProperties());
    props.putAll(Topics.producerConfigs(Topics.SAMPLED_GROUPS));
    // a batch's groups are appended first and then flushed together (PromptListener): one produce
    // request carries the step, where sending each record as it was appended woke the broker and
    // the
    // reward consumer 32 times while this thread still serialised (groups reached the broker over
    // 25-45 ms on 2 cores, and the reward service scored them in many small polls); the linger only
    // bounds a send that nobody flushes
    props.putIfAbsent("linger.ms", GROUP_LINGER_MS);
    props.putIfAbsent("batch.size", GROUP_BATCH_BYTES);
    return new KafkaTemplate<>(
        new DefaultKafkaProducerFactory<>(
            props, new StringSerializer(), new MessageSerializer<VersionedMessage>()));
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> promptContainer(
      KafkaProperties kafka,
      SamplerProperties properties,
      PromptListener listener,
      MeterRegistry meters) {
    Map<String, Object> props =
        ConsumerDefaults.apply(new HashMap<>(kafka.buildConsumerProperties()));
    props.putAll(Topics.consumerConfigs(Topics.PROMPTS));
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, properties.maxBatchPrompts());
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Math.max(1, properties.lingerMs()));
    // the broker holds a fetch for up to linger-ms unless 1 MiB of prompts waits: a trainer
    // publishes a step's prompts at once, but partition by partition, and a fetch answered at the
    // first record would split the step into several generation batches (an on-policy step waits
    // for its new policy version at least as long anyway)
    props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, properties.lingerMs() > 0 ? 1 << 20 : 1);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 900_000);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "r1-sampler-prompts-" + properties.instanceId());
    ContainerProperties cp = new ContainerProperties(Topics.PROMPTS);
    cp.setGroupId(properties.consumerGroup());
    cp.setMessageListener(
        (BatchMessageListener<String, byte[]>)
            (List<ConsumerRecord<String, byte[]>> records) -> listener.onBatch(records));
    ConcurrentMessageListenerContainer<String, byte[]> c =
        new ConcurrentMessageListenerContainer<>(
            KafkaClientMeters.bind(
                new DefaultKafkaConsumerFactory<>(
                    props, new StringDeserializer(), new ByteArrayDeserializer()),
                meters,
                properties.consumerGroup()),
            cp);
    c.setConcurrency(properties.concurrency());
    c.setAutoStartup(false); // started once the initial weights are loaded
    c.setBeanName("r1-sampler-prompts");
    return c;
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> policyContainer(
      KafkaProperties kafka,
      SamplerProperties properties,
      PolicyWatcher watcher,
      MeterRegistry meters) {
    String group = "r1-sampler-" + properties.instanceId();
    Map<String, Object> props =
        ConsumerDefaults.apply(new HashMap<>(kafka.buildConsumerProperties()));
    props.putAll(Topics.consumerConfigs(Topics.POLICY_PUBLISHED));
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 900_000);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, group);
    ContainerProperties cp = new ContainerProperties(Topics.POLICY_PUBLISHED);
    cp.setGroupId(group);
    cp.setMessageListener(
        (BatchMessageListener<String, byte[]>)
            (List<ConsumerRecord<String, byte[]>> records) -> watcher.onBatch(records, group));
    ConcurrentMessageListenerContainer<String, byte[]> c =
        new ConcurrentMessageListenerContainer<>(
            KafkaClientMeters.bind(
                new DefaultKafkaConsumerFactory<>(
                    props, new StringDeserializer(), new ByteArrayDeserializer()),
                meters,
                group),
            cp);
    c.setBeanName("r1-sampler-policy");
    return c;
  }

  @Bean
  @ConditionalOnProperty(name = "r1.sampler.create-topics", matchIfMissing = true)
  KafkaAdmin.NewTopics samplerTopics(SamplerProperties properties) {
    int r = properties.topicReplicas();
    return new KafkaAdmin.NewTopics(
        newTopic(Topics.PROMPTS, r),
        newTopic(Topics.PROMPTS_DLT, r),
        newTopic(Topics.SAMPLED_GROUPS, r),
        newTopic(Topics.POLICY_PUBLISHED, r),
        newTopic(Topics.POLICY_PUBLISHED_DLT, r));
  }

  private static NewTopic newTopic(String name, int replicas) {
    TopicSpec spec = Topics.spec(name).orElseThrow();
    return new NewTopic(spec.name(), spec.partitions(), (short) replicas).configs(spec.configs());
  }
}
