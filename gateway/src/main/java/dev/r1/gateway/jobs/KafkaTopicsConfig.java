package dev.r1.gateway.jobs;

import dev.r1.contracts.TopicSpec;
import dev.r1.contracts.Topics;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/** Declares the topics the gateway writes and reads (created when missing, as in the contract). */
@Configuration
class KafkaTopicsConfig {

  @Bean
  KafkaAdmin.NewTopics gatewayTopics() {
    return new KafkaAdmin.NewTopics(
        topic(Topics.JOBS), topic(Topics.JOB_EVENTS), topic(Topics.JOB_EVENTS_DLT));
  }

  private static NewTopic topic(String name) {
    TopicSpec spec = Topics.spec(name).orElseThrow();
    return new NewTopic(name, Optional.of(spec.partitions()), Optional.empty())
        .configs(spec.configs());
  }
}
