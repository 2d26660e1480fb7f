package dev.r1.distill.messaging;

import dev.r1.contracts.ContractViolationException;
import dev.r1.contracts.Json;
import dev.r1.contracts.PoisonMessageException;
import dev.r1.contracts.ScoredGroup;
import dev.r1.distill.job.FleetSampler;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.stereotype.Component;

/**
 * Hands scored groups of this service's rejection-sampling job ids to the waiting job; groups of
 * other jobs (GRPO jobs of the trainer) are skipped silently, poison goes to the dead-letter topic.
 */
@Component
class ScoredGroupListener implements MessageListener<String, byte[]> {

  private final FleetSampler fleet;
  private final DeadLetters deadLetters;

  ScoredGroupListener(FleetSampler fleet, DeadLetters deadLetters) {
    this.fleet = fleet;
    this.deadLetters = deadLetters;
  }

  @Override
  public void onMessage(ConsumerRecord<String, byte[]> record) {
    if (record.key() != null && !record.key().isEmpty() && !fleet.expects(jobOf(record.key()))) {
      return; // not ours: no need to decode
    }
    ScoredGroup group;
    try {
      group = Json.decode(record.topic(), record.value(), ScoredGroup.class);
    } catch (PoisonMessageException | ContractViolationException e) {
      deadLetters.route(record, "poison", e);
      return;
    }
    if (group != null) {
      fleet.deliver(group);
    }
  }

  private static String jobOf(String key) {
    int colon = key.indexOf(':');
    return colon < 0 ? key : key.substring(0, colon);
  }
}
