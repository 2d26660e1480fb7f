package dev.r1.reward.service.messaging;

import dev.r1.contracts.DeadLetter;
import dev.r1.contracts.PoisonMessageException;
import dev.r1.reward.service.RewardServiceProperties;
import dev.r1.reward.service.scoring.InvalidRewardSpecException;
import dev.r1.reward.service.scoring.RewardMetrics;
import java.time.Clock;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.stereotype.Component;

/**
 * Gives up on a sampled-group record: publishes a {@link DeadLetter} with the reason (and the field
 * for poison payloads) to the dead-letter topic under the original key, and counts it in {@code
 * r1.dead.letters} with the topic and a reason class: {@code undeserializable} (not a JSON object),
 * {@code contract_violation} (a field missing, mistyped or invalid), {@code invalid_reward_spec},
 * {@code too_large} (the scored group exceeds the topic's limit) or {@code processing_failed}
 * (retries exhausted). If the dead letter cannot be published either, the exception propagates and
 * the container retries the record later: nothing is dropped.
 */
@Component
class DeadLetterRecoverer implements ConsumerRecordRecoverer {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterRecoverer.class);

  private final Publisher publisher;
  private final RewardMetrics metrics;
  private final String dltTopic;
  private final String consumerGroup;
  private final Clock clock = Clock.systemUTC();

  DeadLetterRecoverer(Publisher publisher, RewardMetrics metrics, RewardServiceProperties props) {
    this.publisher = publisher;
    this.metrics = metrics;
    this.dltTopic = props.topics().deadLetters();
    this.consumerGroup = props.consumer().groupId();
  }

  @Override
  public void accept(ConsumerRecord<?, ?> record, Exception exception) {
    String key = record.key() == null ? null : record.key().toString();
    byte[] payload = record.value() instanceof byte[] b ? b : null;
    Instant now = clock.instant();
    PoisonMessageException poison = find(exception, PoisonMessageException.class);
    DeadLetter letter;
    String reason;
    if (poison != null) {
      letter = DeadLetter.of(poison, record.partition(), record.offset(), key, consumerGroup, now);
      reason =
          PoisonMessageException.WHOLE_PAYLOAD.equals(poison.field())
              ? "undeserializable"
              : "contract_violation";
    } else {
      Throwable failure = cause(exception);
      letter =
          DeadLetter.ofFailure(
              record.topic(),
              record.partition(),
              record.offset(),
              key,
              payload,
              failure,
              consumerGroup,
              now);
      if (failure instanceof InvalidRewardSpecException) {
        reason = "invalid_reward_spec";
      } else if (failure instanceof RecordTooLargeException) {
        reason = "too_large";
      } else {
        reason = "processing_failed";
      }
    }
    publisher.sendDeadLetter(dltTopic, letter);
    metrics.deadLetter(record.topic(), reason);
    log.warn(
        "Dead-lettered {}-{}@{} (key {}, job {}) to {} as {}: {}{}",
        record.topic(),
        record.partition(),
        record.offset(),
        key,
        letter.jobId(),
        dltTopic,
        reason,
        letter.field() == null ? "" : "field " + letter.field() + ": ",
        letter.reason());
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }

  /** The listener's own exception, without the container's wrapper. */
  private static Throwable cause(Exception e) {
    Throwable t = e;
    while ((t instanceof ListenerExecutionFailedException
            || t instanceof BatchListenerFailedException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
