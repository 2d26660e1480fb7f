package dev.r1.deploy;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * KEDA's ScaledObject (keda.sh/v1alpha1), the fields this repository may use; anything else fails
 * to parse (the mapper rejects unknown properties).
 */
final class Keda {

  private Keda() {}

  record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {}

  record Spec(
      ScaleTargetRef scaleTargetRef,
      Integer minReplicaCount,
      Integer maxReplicaCount,
      Integer idleReplicaCount,
      Integer pollingInterval,
      Integer cooldownPeriod,
      Advanced advanced,
      List<Trigger> triggers) {}

  record ScaleTargetRef(
      String apiVersion, String kind, String name, String envSourceContainerName) {}

  record Advanced(HpaConfig horizontalPodAutoscalerConfig, Boolean restoreToOriginalReplicaCount) {}

  record HpaConfig(String name, HorizontalPodAutoscalerBehavior behavior) {}

  record Trigger(
      String type,
      String name,
      Boolean useCachedMetrics,
      String metricType,
      Map<String, String> metadata,
      AuthenticationRef authenticationRef) {}

  record AuthenticationRef(String name, String kind) {}

  /** The metadata keys of KEDA's Kafka scaler (keda.sh/docs/scalers/apache-kafka). */
  static final Set<String> KAFKA_TRIGGER_KEYS =
      Set.of(
          "bootstrapServers",
          "consumerGroup",
          "topic",
          "lagThreshold",
          "activationLagThreshold",
          "offsetResetPolicy",
          "allowIdleConsumers",
          "scaleToZeroOnInvalidOffset",
          "excludePersistentLag",
          "limitToPartitionsWithLag",
          "ensureEvenDistributionOfPartitions",
          "partitionLimitation",
          "version",
          "sasl",
          "tls");
}
