package dev.r1.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.PromptTask;
import dev.r1.contracts.SampledGroup;
import dev.r1.contracts.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

/** Two sampler instances in one consumer group split the prompt partitions between them. */
@SpringJUnitConfig
@EmbeddedKafka(
    partitions = 4,
    topics = {Topics.PROMPTS, Topics.PROMPTS_DLT, Topics.SAMPLED_GROUPS, Topics.POLICY_PUBLISHED})
class TwoInstancesTest {

  @Autowired EmbeddedKafkaBroker broker;

  @Test
  void twoInstancesShareThePromptPartitionsAndSampleEachGroupOnce() throws Exception {
    Path root = TestModels.tempDir("two-samplers-");
    Path base = TestModels.write(root.resolve("base"), 5);
    try (ConfigurableApplicationContext a = start("sampler-a", base, root);
        ConfigurableApplicationContext b = start("sampler-b", base, root);
        TopicCollector groups = new TopicCollector(broker, Topics.SAMPLED_GROUPS);
        KafkaProducer<String, byte[]> producer = Tasks.producer(broker)) {
      MessageListenerContainer ca = a.getBean("promptContainer", MessageListenerContainer.class);
      MessageListenerContainer cb = b.getBean("promptContainer", MessageListenerContainer.class);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (assigned(ca).size() + assigned(cb).size() != 4
          || assigned(ca).isEmpty()
          || assigned(cb).isEmpty()) {
        assertThat(System.nanoTime()).as("both instances get partitions").isLessThan(deadline);
        Thread.sleep(100);
      }
      Set<Integer> partitionsOfA = new HashSet<>();
      assigned(ca).forEach(tp -> partitionsOfA.add(tp.partition()));

      List<PromptTask> sent = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        PromptTask t = Tasks.text("job-two", "q" + i, "Question " + i, 2, 3, null);
        Tasks.send(producer, Topics.PROMPTS, t);
        sent.add(t);
      }
      groups.await(r -> true, sent.size(), Duration.ofSeconds(90));
      Thread.sleep(1000); // a duplicate would arrive by now
      Map<String, List<SampledGroup>> byGroup = new HashMap<>();
      Map<String, Integer> partitionOf = new HashMap<>();
      for (ConsumerRecord<String, byte[]> r : groups.records) {
        SampledGroup g = Json.decode(r.topic(), r.value(), SampledGroup.class);
        byGroup.computeIfAbsent(g.groupId(), k -> new ArrayList<>()).add(g);
        partitionOf.put(g.groupId(), r.partition());
      }
      assertThat(byGroup).hasSize(16);
      assertThat(byGroup.values()).allSatisfy(list -> assertThat(list).hasSize(1));
      Set<String> instances = new HashSet<>();
      for (PromptTask t : sent) {
        SampledGroup g = byGroup.get(t.resolvedGroupId()).get(0);
        instances.add(g.samplerInstance());
        // the group stays in its prompt's partition, served by the instance owning it
        int partition = Keys.partition(Keys.of(t), 4);
        assertThat(partitionOf.get(g.groupId())).isEqualTo(partition);
        assertThat(g.samplerInstance())
            .isEqualTo(partitionsOfA.contains(partition) ? "sampler-a" : "sampler-b");
      }
      assertThat(instances).containsExactlyInAnyOrder("sampler-a", "sampler-b");
    }
  }

  private static java.util.Collection<TopicPartition> assigned(MessageListenerContainer c) {
    var p = c.getAssignedPartitions();
    return p == null ? List.of() : p;
  }

  private ConfigurableApplicationContext start(String id, Path base, Path root) {
    return new SpringApplicationBuilder(SamplerServiceApplication.class)
        .run(
            "--server.port=0",
            "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
            "--r1.sampler.instance-id=" + id,
            "--r1.sampler.base-model-dir=" + base,
            "--r1.sampler.cache-dir=" + root.resolve("cache-" + id),
            "--r1.sampler.create-topics=false",
            "--r1.sampler.policy-service-url=");
  }
}
