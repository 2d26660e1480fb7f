package dev.r1.policy;

import dev.r1.contracts.MessageSerializer;
import dev.r1.contracts.PolicyPublished;
import dev.r1.contracts.TopicSpec;
import dev.r1.contracts.Topics;
import dev.r1.policy.storage.PolicyStore;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;

/** Beans of the policy-service: the store, the Kafka producer and the topics it writes. */
@Configuration(proxyBeanMethods = false)
class PolicyConfiguration {

  @Bean
  PolicyStore policyStore(PolicyProperties properties) {
    return new PolicyStore(properties.storeDir(), properties.retainVersions());
  }

  /** Applies the retention to jobs stored before it was configured (or lowered). */
  @Bean
  ApplicationRunner policyRetentionAtStartup(PolicyStore store) {
    return args -> store.pruneAll();
  }

  @Bean
  KafkaTemplate<String, PolicyPublished> policyPublishedTemplate(KafkaProperties kafka) {
    Map<String, Object> props = new HashMap<>(kafka.buildProducerProperties());
    props.putAll(Topics.producerConfigs(Topics.POLICY_PUBLISHED));
    // one event per version, awaited: an on-policy step waits on it, lingering only delays it
    props.putIfAbsent("linger.ms", 0);
    DefaultKafkaProducerFactory<String, PolicyPublished> factory =
        new DefaultKafkaProducerFactory<>(
            props, new StringSerializer(), new MessageSerializer<PolicyPublished>());
    return new KafkaTemplate<>(factory);
  }

  @Bean
  @ConditionalOnProperty(name = "r1.policy.create-topics", matchIfMissing = true)
  KafkaAdmin.NewTopics policyTopics(PolicyProperties properties) {
    return new KafkaAdmin.NewTopics(
        newTopic(Topics.spec(Topics.POLICY_PUBLISHED).orElseThrow(), properties.topicReplicas()),
        newTopic(
            Topics.spec(Topics.POLICY_PUBLISHED_DLT).orElseThrow(), properties.topicReplicas()));
  }

  static NewTopic newTopic(TopicSpec spec, int replicas) {
    return new NewTopic(spec.name(), spec.partitions(), (short) replicas).configs(spec.configs());
  }
}
