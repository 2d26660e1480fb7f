package dev.r1.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.r1.contracts.TopicSpec;
import dev.r1.contracts.Topics;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kustomization under k8s/ (the base and each overlay) renders with {@code kubectl
 * kustomize}, parses into typed models without unknown fields, and says what the services do: the
 * ScaledObjects' topics and consumer groups are the ones in {@link Topics} and the services'
 * application.yml, the KafkaTopics are the contract's, containers run non-root on read-only root
 * file systems with probes and limits, secrets are referenced and never inlined.
 */
class KubernetesManifestsTest {

  private static final Map<String, List<Object>> RENDERED = new ConcurrentHashMap<>();

  /** The base and every folder under k8s/overlays that holds a kustomization.yaml. */
  static Stream<String> kustomizations() throws IOException {
    List<String> out = new ArrayList<>(List.of("k8s/base"));
    try (Stream<Path> dirs = Files.list(Repo.root().resolve("k8s/overlays"))) {
      dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml")))
          .map(d -> "k8s/overlays/" + d.getFileName())
          .sorted()
          .forEach(out::add);
    }
    assertThat(out).contains("k8s/overlays/dev", "k8s/overlays/gpu");
    return out.stream();
  }

  static Stream<String> overlays() throws IOException {
    return kustomizations().filter(k -> k.startsWith("k8s/overlays/"));
  }

  private static List<Object> rendered(String folder) {
    return RENDERED.computeIfAbsent(folder, Manifests::render);
  }

  private static Deployment deployment(List<Object> objects, String name) {
    return Manifests.of(objects, Deployment.class).stream()
        .filter(d -> d.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Deployment " + name));
  }

  private static Map<String, String> env(Container c) {
    Map<String, String> out = new TreeMap<>();
    for (EnvVar e : c.getEnv()) {
      out.put(e.getName(), e.getValue());
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("kustomizations")
  void rendersIntoTypedObjectsWithoutUnknownFields(String folder) {
    List<Object> objects = rendered(folder);
    Map<String, Long> kinds =
        objects.stream()
            .collect(
                Collectors.groupingBy(o -> o.getClass().getSimpleName(), Collectors.counting()));
    assertThat(kinds)
        .containsKeys(
            "Deployment",
            "Service",
            "Kafka",
            "KafkaTopic",
            "ScaledObject",
            "ServiceMonitor",
            "NetworkPolicy",
            "StatefulSet");
    assertThat(kinds.get("Deployment")).isEqualTo(6L);
    for (Object o : objects) {
      if (o instanceof HasMetadata h && !"Namespace".equals(h.getKind())) {
        assertThat(h.getMetadata().getNamespace()).as(h.getMetadata().getName()).isEqualTo("r1");
      }
    }
  }

  @Test
  void unknownFieldsFail() {
    String deployment =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: x
        spec:
          replica: 2
        """;
    assertThatThrownBy(() -> Manifests.parse(deployment, "test"))
        .hasMessageContaining("unknown field(s) [replica]")
        .hasMessageContaining("spec");
    String scaledObject =
        """
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata:
          name: x
        spec:
          maxReplicas: 3
        """;
    assertThatThrownBy(() -> Manifests.parse(scaledObject, "test"))
        .hasMessageContaining("maxReplicas");
    String topic =
        """
        apiVersion: kafka.strimzi.io/v1beta2
        kind: KafkaTopic
        metadata:
          name: t
        spec:
          partition: 3
        """;
    assertThatThrownBy(() -> Manifests.parse(topic, "test")).hasMessageContaining("[partition]");
    assertThatThrownBy(() -> Manifests.parse("apiVersion: v1\nkind: Secret\n", "test"))
        .hasMessageContaining("no typed model for v1/Secret");
  }

  /** The consumer groups and topics KEDA watches are the ones the services consume. */
  @ParameterizedTest
  @MethodSource("kustomizations")
  void scaledObjectsWatchTheServicesTopicsAndConsumerGroups(String folder) {
    List<Object> objects = rendered(folder);
    Map<String, Keda.ScaledObject> scaled = new HashMap<>();
    for (Keda.ScaledObject so : Manifests.of(objects, Keda.ScaledObject.class)) {
      scaled.put(so.spec().scaleTargetRef().name(), so);
    }
    assertThat(scaled).containsOnlyKeys("sampler-service", "reward-service");

    // what the code says: the topics from the contract, the groups and concurrency from each
    // service's configuration
    record Consumer(String topic, String group, int concurrency) {}
    Map<String, Consumer> code =
        Map.of(
            "sampler-service",
            new Consumer(
                Topics.PROMPTS,
                Repo.setting("sampler-service", "r1.sampler.consumer-group"),
                Integer.parseInt(Repo.setting("sampler-service", "r1.sampler.concurrency"))),
            "reward-service",
            new Consumer(
                Topics.SAMPLED_GROUPS,
                Repo.setting("reward-service", "r1.reward.consumer.group-id"),
                Integer.parseInt(
                    Repo.setting("reward-service", "r1.reward.consumer.concurrency"))));
    assertThat(code.get("sampler-service").group()).isEqualTo("r1-sampler");
    assertThat(code.get("reward-service").group()).isEqualTo("r1-reward");

    String bootstrap = bootstrap(objects);
    for (var e : code.entrySet()) {
      Keda.ScaledObject so = scaled.get(e.getKey());
      Consumer c = e.getValue();
      deployment(objects, e.getKey()); // the target exists
      assertThat(so.spec().triggers()).hasSize(1);
      Keda.Trigger t = so.spec().triggers().get(0);
      assertThat(t.type()).isEqualTo("kafka");
      assertThat(Keda.KAFKA_TRIGGER_KEYS).containsAll(t.metadata().keySet());
      assertThat(t.metadata().get("topic")).as(folder + " " + e.getKey()).isEqualTo(c.topic());
      assertThat(t.metadata().get("consumerGroup"))
          .as(folder + " " + e.getKey())
          .isEqualTo(c.group());
      assertThat(t.metadata().get("bootstrapServers")).isEqualTo(bootstrap);
      assertThat(Integer.parseInt(t.metadata().get("lagThreshold"))).isPositive();
      // partitions are the ceiling: no replica beyond one consumer per partition
      assertThat(t.metadata().get("allowIdleConsumers")).isEqualTo("false");
      int partitions = Topics.spec(c.topic()).orElseThrow().partitions();
      assertThat(so.spec().maxReplicaCount() * c.concurrency())
          .as(
              "%s %s: max replicas x consumers per pod <= %d partitions",
              folder, e.getKey(), partitions)
          .isLessThanOrEqualTo(partitions);
      assertThat(so.spec().minReplicaCount()).isBetween(0, so.spec().maxReplicaCount());
    }
  }

  /** The cluster's bootstrap address, from the Strimzi Kafka's plain listener. */
  private static String bootstrap(List<Object> objects) {
    List<Kafka> kafkas = Manifests.of(objects, Kafka.class);
    assertThat(kafkas).hasSize(1);
    Kafka kafka = kafkas.get(0);
    GenericKafkaListener plain =
        kafka.getSpec().getKafka().getListeners().stream()
            .filter(l -> !l.isTls())
            .findFirst()
            .orElseThrow(() -> new AssertionError("no plain listener"));
    return kafka.getMetadata().getName() + "-kafka-bootstrap:" + plain.getPort();
  }

  @ParameterizedTest
  @MethodSource("kustomizations")
  void servicesUseTheStrimziBootstrapAddress(String folder) {
    List<Object> objects = rendered(folder);
    String bootstrap = bootstrap(objects);
    for (Deployment d : Manifests.of(objects, Deployment.class)) {
      Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
      assertThat(env(c).get("KAFKA_BOOTSTRAP_SERVERS"))
          .as(d.getMetadata().getName())
          .isEqualTo(bootstrap);
    }
  }

  /** KafkaTopics are exactly the contract's topics with its partitions and configs. */
  @ParameterizedTest
  @MethodSource("kustomizations")
  void kafkaTopicsAreTheContractsTopics(String folder) {
    List<Object> objects = rendered(folder);
    Kafka kafka = Manifests.of(objects, Kafka.class).get(0);
    Map<String, KafkaTopic> topics = new HashMap<>();
    for (KafkaTopic t : Manifests.of(objects, KafkaTopic.class)) {
      String name =
          t.getSpec().getTopicName() != null
              ? t.getSpec().getTopicName()
              : t.getMetadata().getName();
      assertThat(topics.put(name, t)).as("topic %s twice", name).isNull();
      assertThat(t.getMetadata().getLabels())
          .containsEntry("strimzi.io/cluster", kafka.getMetadata().getName());
    }
    assertThat(topics.keySet())
        .containsExactlyInAnyOrderElementsOf(Topics.ALL.stream().map(TopicSpec::name).toList());
    for (TopicSpec spec : Topics.ALL) {
      KafkaTopic t = topics.get(spec.name());
      assertThat(t.getSpec().getPartitions()).as(spec.name()).isEqualTo(spec.partitions());
      Map<String, String> config = new TreeMap<>();
      t.getSpec().getConfig().forEach((k, v) -> config.put(k, String.valueOf(v)));
      assertThat(config).as(spec.name()).containsAllEntriesOf(spec.configs());
      int replicas = t.getSpec().getReplicas();
      int minIsr = Integer.parseInt(config.get("min.insync.replicas"));
      assertThat(minIsr).as(spec.name()).isBetween(1, replicas);
      if (replicas > 1) {
        assertThat(minIsr).as("%s tolerates one broker down", spec.name()).isLessThan(replicas);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void kafkaRunsInKraftModeOnNodePools(String folder) {
    List<Object> objects = rendered(folder);
    Kafka kafka = Manifests.of(objects, Kafka.class).get(0);
    assertThat(kafka.getMetadata().getAnnotations())
        .containsEntry("strimzi.io/kraft", "enabled")
        .containsEntry("strimzi.io/node-pools", "enabled");
    List<KafkaNodePool> pools = Manifests.of(objects, KafkaNodePool.class);
    int controllers = 0;
    int brokers = 0;
    for (KafkaNodePool p : pools) {
      assertThat(p.getMetadata().getLabels())
          .containsEntry("strimzi.io/cluster", kafka.getMetadata().getName());
      if (p.getSpec().getRoles().contains(ProcessRoles.CONTROLLER)) {
        controllers += p.getSpec().getReplicas();
      }
      if (p.getSpec().getRoles().contains(ProcessRoles.BROKER)) {
        brokers += p.getSpec().getReplicas();
      }
    }
    assertThat(controllers).as("KRaft controllers (an odd number)").isOdd();
    assertThat(brokers).isPositive();
    int maxReplicas =
        Manifests.of(objects, KafkaTopic.class).stream()
            .mapToInt(t -> t.getSpec().getReplicas())
            .max()
            .orElseThrow();
    assertThat(maxReplicas).as("topic replicas <= brokers").isLessThanOrEqualTo(brokers);
    Map<String, Object> config = kafka.getSpec().getKafka().getConfig();
    assertThat(((Number) config.get("offsets.topic.replication.factor")).intValue())
        .isLessThanOrEqualTo(brokers);
  }

  private static List<PodTemplateSpec> podTemplates(List<Object> objects) {
    List<PodTemplateSpec> out = new ArrayList<>();
    Manifests.of(objects, Deployment.class).forEach(d -> out.add(d.getSpec().getTemplate()));
    Manifests.of(objects, StatefulSet.class).forEach(s -> out.add(s.getSpec().getTemplate()));
    return out;
  }

  @ParameterizedTest
  @MethodSource("kustomizations")
  void containersRunNonRootReadOnlyWithProbesAndLimits(String folder) {
    List<Object> objects = rendered(folder);
    Set<String> claimTemplates =
        Manifests.of(objects, StatefulSet.class).stream()
            .flatMap(s -> s.getSpec().getVolumeClaimTemplates().stream())
            .map(c -> c.getMetadata().getName())
            .collect(Collectors.toSet());
    for (PodTemplateSpec t : podTemplates(objects)) {
      PodSpec pod = t.getSpec();
      String name = t.getMetadata().getLabels().get("app.kubernetes.io/name");
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name).isTrue();
      assertThat(pod.getSecurityContext().getRunAsUser()).as(name).isPositive();
      assertThat(pod.getAutomountServiceAccountToken()).as(name).isFalse();
      for (Container c : pod.getContainers()) {
        String where = folder + " " + name + "/" + c.getName();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(where).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(where).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).as(where).contains("ALL");
        assertThat(c.getImage()).as(where).doesNotEndWith(":latest").contains(":");
        Map<String, Quantity> requests = c.getResources().getRequests();
        Map<String, Quantity> limits = c.getResources().getLimits();
        assertThat(requests).as(where).containsKeys("cpu", "memory");
        assertThat(limits).as(where).containsKey("memory");
        assertThat(Quantity.getAmountInBytes(limits.get("memory")))
            .as(where + " memory limit >= request")
            .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(requests.get("memory")));
        assertThat(c.getReadinessProbe()).as(where + " readiness").isNotNull();
        assertThat(c.getLivenessProbe()).as(where + " liveness").isNotNull();
        Set<String> ports =
            c.getPorts().stream().map(ContainerPort::getName).collect(Collectors.toSet());
        for (Probe p :
            Stream.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())
                .filter(Objects::nonNull)
                .toList()) {
          if (p.getHttpGet() != null) {
            assertThat(ports)
                .as(where + " probe port")
                .contains(p.getHttpGet().getPort().getStrVal());
            assertThat(p.getHttpGet().getPath()).startsWith("/actuator/health");
          }
        }
        // every mount has a volume, and every writable path is a volume (the root is read-only)
        Set<String> volumes =
            pod.getVolumes().stream().map(Volume::getName).collect(Collectors.toSet());
        volumes.addAll(claimTemplates);
        for (VolumeMount m : c.getVolumeMounts()) {
          assertThat(volumes).as(where + " mount " + m.getMountPath()).contains(m.getName());
        }
        assertThat(c.getVolumeMounts().stream().map(VolumeMount::getMountPath))
            .as(where)
            .contains("/tmp");
      }
    }
  }

  /** Secrets come from the cluster by reference: no Secret objects, no secret values inline. */
  @ParameterizedTest
  @MethodSource("kustomizations")
  void secretsByReferenceOnly(String folder) {
    List<Object> objects = rendered(folder);
    for (PodTemplateSpec t : podTemplates(objects)) {
      for (Container c : t.getSpec().getContainers()) {
        for (EnvVar e : c.getEnv()) {
          if (e.getName().matches(".*(PASSWORD|SECRET|TOKEN|API_KEY|USER).*")) {
            assertThat(e.getValue()).as(folder + " " + c.getName() + " " + e.getName()).isNull();
            assertThat(e.getValueFrom().getSecretKeyRef())
                .as(folder + " " + c.getName() + " " + e.getName())
                .isNotNull();
          }
        }
      }
    }
    for (PrometheusOperator.ServiceMonitor sm :
        Manifests.of(objects, PrometheusOperator.ServiceMonitor.class)) {
      for (PrometheusOperator.Endpoint ep : sm.spec().endpoints()) {
        if (ep.authorization() != null) {
          assertThat(ep.authorization().credentials().getName()).isNotBlank();
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("kustomizations")
  void everyServiceIsScrapedAtActuatorPrometheus(String folder) {
    List<Object> objects = rendered(folder);
    List<PrometheusOperator.ServiceMonitor> monitors =
        Manifests.of(objects, PrometheusOperator.ServiceMonitor.class);
    for (Deployment d : Manifests.of(objects, Deployment.class)) {
      String name = d.getMetadata().getName();
      Service svc =
          Manifests.of(objects, Service.class).stream()
              .filter(s -> s.getMetadata().getName().equals(name))
              .findFirst()
              .orElseThrow(() -> new AssertionError(folder + ": no Service for " + name));
      assertThat(
              matches(
                  svc.getSpec().getSelector(), d.getSpec().getTemplate().getMetadata().getLabels()))
          .as(name + " Service selects its pods")
          .isTrue();
      var monitor =
          monitors.stream()
              .filter(m -> matches(m.spec().selector(), svc.getMetadata().getLabels()))
              .findFirst()
              .orElseThrow(
                  () -> new AssertionError(folder + ": no ServiceMonitor selects " + name));
      var ep = monitor.spec().endpoints().get(0);
      assertThat(ep.path()).isEqualTo("/actuator/prometheus");
      assertThat(svc.getSpec().getPorts()).anyMatch(p -> p.getName().equals(ep.port()));
      assertThat(ep.honorLabels()).as("keep the metrics' own job label").isTrue();
    }
  }

  private static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    return matches(selector.getMatchLabels(), labels)
        && (selector.getMatchExpressions() == null
            || selector.getMatchExpressions().stream()
                .allMatch(
                    e ->
                        switch (e.getOperator()) {
                          case "In" -> e.getValues().contains(labels.get(e.getKey()));
                          case "NotIn" -> !e.getValues().contains(labels.get(e.getKey()));
                          case "Exists" -> labels.containsKey(e.getKey());
                          case "DoesNotExist" -> !labels.containsKey(e.getKey());
                          default -> throw new AssertionError("operator " + e.getOperator());
                        }));
  }

  private static boolean isEmpty(Object mapOrList) {
    return mapOrList == null
        || (mapOrList instanceof Map<?, ?> m && m.isEmpty())
        || (mapOrList instanceof List<?> l && l.isEmpty());
  }

  private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return selector == null
        || selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  @ParameterizedTest
  @MethodSource("kustomizations")
  void networkPoliciesDenyByDefaultAndEachSelectsPods(String folder) {
    List<Object> objects = rendered(folder);
    List<NetworkPolicy> policies = Manifests.of(objects, NetworkPolicy.class);
    assertThat(policies)
        .anyMatch(
            p ->
                isEmpty(p.getSpec().getPodSelector().getMatchLabels())
                    && isEmpty(p.getSpec().getPodSelector().getMatchExpressions())
                    && isEmpty(p.getSpec().getIngress())
                    && p.getSpec().getPolicyTypes().contains("Ingress"));
    List<Map<String, String>> pods =
        podTemplates(objects).stream().map(t -> t.getMetadata().getLabels()).toList();
    for (NetworkPolicy p : policies) {
      assertThat(pods)
          .as(folder + " " + p.getMetadata().getName() + " selects a pod")
          .anyMatch(l -> matches(p.getSpec().getPodSelector(), l));
      if (!isEmpty(p.getSpec().getIngress())) {
        p.getSpec().getIngress().stream()
            .filter(r -> r.getFrom() != null)
            .flatMap(r -> r.getFrom().stream())
            .filter(peer -> peer.getPodSelector() != null && peer.getNamespaceSelector() == null)
            .forEach(
                peer ->
                    assertThat(pods)
                        .as(
                            folder
                                + " "
                                + p.getMetadata().getName()
                                + " peer "
                                + peer.getPodSelector())
                        .anyMatch(l -> matches(peer.getPodSelector(), l)));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("kustomizations")
  void claimsExistAndStatefulServicesRecreate(String folder) {
    List<Object> objects = rendered(folder);
    Set<String> claims =
        Manifests.of(objects, PersistentVolumeClaim.class).stream()
            .map(c -> c.getMetadata().getName())
            .collect(Collectors.toSet());
    for (Deployment d : Manifests.of(objects, Deployment.class)) {
      for (Volume v : d.getSpec().getTemplate().getSpec().getVolumes()) {
        if (v.getPersistentVolumeClaim() != null) {
          assertThat(claims)
              .as(d.getMetadata().getName())
              .contains(v.getPersistentVolumeClaim().getClaimName());
          boolean readWriteOnce =
              Manifests.of(objects, PersistentVolumeClaim.class).stream()
                  .filter(
                      c ->
                          c.getMetadata()
                              .getName()
                              .equals(v.getPersistentVolumeClaim().getClaimName()))
                  .anyMatch(c -> c.getSpec().getAccessModes().equals(List.of("ReadWriteOnce")));
          boolean writes =
              d.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts().stream()
                  .anyMatch(
                      m ->
                          m.getName().equals(v.getName()) && !Boolean.TRUE.equals(m.getReadOnly()));
          if (readWriteOnce && writes) {
            assertThat(d.getSpec().getStrategy().getType())
                .as(folder + " " + d.getMetadata().getName() + " writes a ReadWriteOnce volume")
                .isEqualTo("Recreate");
            assertThat(d.getSpec().getReplicas()).isEqualTo(1);
          }
        }
      }
    }
  }

  /** The trainer's checkpoints live on a volume at its work dir, and it restarts, never surges. */
  @ParameterizedTest
  @MethodSource("kustomizations")
  void trainerCheckpointsOnAVolume(String folder) {
    Deployment trainer = deployment(rendered(folder), "trainer-service");
    assertThat(trainer.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    Container c = trainer.getSpec().getTemplate().getSpec().getContainers().get(0);
    String workDir = env(c).get("R1_TRAINER_WORK_DIR");
    VolumeMount mount =
        c.getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals(workDir))
            .findFirst()
            .orElseThrow(() -> new AssertionError("nothing mounted at " + workDir));
    assertThat(trainer.getSpec().getTemplate().getSpec().getVolumes())
        .anyMatch(v -> v.getName().equals(mount.getName()) && v.getPersistentVolumeClaim() != null);
  }

  @Test
  void gpuOverlayPutsTheTrainerOnAGpuNodeWithCudaLibtorch() throws IOException {
    Deployment trainer = deployment(rendered("k8s/overlays/gpu"), "trainer-service");
    PodSpec pod = trainer.getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    assertThat(c.getResources().getLimits().get("nvidia.com/gpu")).isEqualTo(new Quantity("1"));
    assertThat(pod.getTolerations())
        .anyMatch(t -> t.getKey().equals("nvidia.com/gpu") && "NoSchedule".equals(t.getEffect()));
    assertThat(pod.getNodeSelector()).containsKey("nvidia.com/gpu.present");
    assertThat(c.getImage()).startsWith("r1/trainer-service-cuda:");
    // the pod's libtorch settings are the CUDA image's
    Map<String, String> imageEnv =
        Dockerfiles.env(Repo.root().resolve("deploy/docker/trainer-service-cuda.Dockerfile"));
    for (String k : List.of("PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR")) {
      assertThat(env(c).get(k)).as(k).isNotBlank().isEqualTo(imageEnv.get(k));
    }
    assertThat(imageEnv.get("PYTORCH_FLAVOR")).startsWith("cu");
    // the dev overlay stays on CPU
    Deployment dev = deployment(rendered("k8s/overlays/dev"), "trainer-service");
    assertThat(
            dev.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits())
        .doesNotContainKey("nvidia.com/gpu");
  }
}
