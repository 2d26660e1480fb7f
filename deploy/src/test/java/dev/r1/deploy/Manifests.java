package dev.r1.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with {@code kubectl kustomize} and parses every object into a typed
 * model: fabric8's Kubernetes model, Strimzi's api, and the records in {@link Keda} and {@link
 * PrometheusOperator}. Unknown fields fail: records through the mapper, fabric8 and Strimzi models
 * (which keep unknown fields in {@code additionalProperties}) through a walk of the object graph.
 */
final class Manifests {

  static final ObjectMapper MAPPER =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  /** Typed model per apiVersion/kind; any other kind in a rendering fails the check. */
  static final Map<String, Class<?>> TYPES =
      Map.ofEntries(
          Map.entry("v1/Namespace", Namespace.class),
          Map.entry("v1/Service", Service.class),
          Map.entry("v1/ConfigMap", ConfigMap.class),
          Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
          Map.entry("apps/v1/Deployment", Deployment.class),
          Map.entry("apps/v1/StatefulSet", StatefulSet.class),
          Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
          Map.entry("kafka.strimzi.io/v1beta2/Kafka", Kafka.class),
          Map.entry("kafka.strimzi.io/v1beta2/KafkaNodePool", KafkaNodePool.class),
          Map.entry("kafka.strimzi.io/v1beta2/KafkaTopic", KafkaTopic.class),
          Map.entry("keda.sh/v1alpha1/ScaledObject", Keda.ScaledObject.class),
          Map.entry(
              "monitoring.coreos.com/v1/ServiceMonitor", PrometheusOperator.ServiceMonitor.class),
          Map.entry("monitoring.coreos.com/v1/PodMonitor", PrometheusOperator.PodMonitor.class));

  private Manifests() {}

  /** The kubectl binary: -Dr1.kubectl, else kubectl on the PATH (Debian's package "kubectl"). */
  static String kubectl() {
    return System.getProperty("r1.kubectl", "kubectl");
  }

  /** {@code kubectl kustomize <dir>}, the YAML it prints; fails with kubectl's message. */
  static String kustomize(Path dir) {
    Process p;
    try {
      p = new ProcessBuilder(kubectl(), "kustomize", dir.toString()).start();
    } catch (IOException e) {
      throw new AssertionError(
          "cannot run '"
              + kubectl()
              + "' to render "
              + dir
              + ": install kubectl (Debian: apt-get install kubectl) or pass -Dr1.kubectl=/path",
          e);
    }
    try {
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("kubectl kustomize " + dir + " did not finish in 120 s");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(
            "kubectl kustomize "
                + dir
                + " failed ("
                + p.exitValue()
                + "): "
                + new String(err, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("reading kubectl's output for " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Renders and parses a kustomization folder under the repository root (e.g. k8s/overlays/dev).
   */
  static List<Object> render(String folder) {
    return parse(kustomize(Repo.root().resolve(folder)), folder);
  }

  /** Parses a multi-document YAML stream into typed objects. */
  static List<Object> parse(String yaml, String source) {
    List<Object> out = new ArrayList<>();
    try (JsonParser parser = MAPPER.getFactory().createParser(yaml);
        MappingIterator<JsonNode> docs = MAPPER.readValues(parser, JsonNode.class)) {
      int i = 0;
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        i++;
        if (doc == null || doc.isNull() || doc.isEmpty()) {
          continue;
        }
        String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        String where =
            source + " #" + i + " " + key + " " + doc.path("metadata").path("name").asText();
        Class<?> type = TYPES.get(key);
        if (type == null) {
          throw new AssertionError(where + ": no typed model for " + key + " (add one to TYPES)");
        }
        Object typed;
        try {
          typed = MAPPER.treeToValue(doc, type);
        } catch (IOException e) {
          throw new AssertionError(where + ": " + e.getMessage(), e);
        }
        assertNoUnknownFields(typed, where);
        out.add(typed);
      }
    } catch (IOException e) {
      throw new AssertionError(source + ": not YAML: " + e.getMessage(), e);
    }
    return out;
  }

  /** Fails when any model object in the graph kept unknown fields in additionalProperties. */
  static void assertNoUnknownFields(Object root, String where) {
    walk(root, "", where, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  private static void walk(Object o, String path, String where, Set<Object> seen) {
    if (o == null
        || o instanceof CharSequence
        || o instanceof Number
        || o instanceof Boolean
        || o instanceof Enum<?>
        || !seen.add(o)) {
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> walk(v, path + "." + k, where, seen));
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object v : c) {
        walk(v, path + "[" + i++ + "]", where, seen);
      }
      return;
    }
    Class<?> type = o.getClass();
    if (type.isRecord()) {
      for (RecordComponent rc : type.getRecordComponents()) {
        try {
          walk(rc.getAccessor().invoke(o), path + "." + rc.getName(), where, seen);
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }
      return;
    }
    String pkg = type.getPackageName();
    if (!pkg.startsWith("io.fabric8.") && !pkg.startsWith("io.strimzi.")) {
      return;
    }
    for (Class<?> t = type; t != null && t != Object.class; t = t.getSuperclass()) {
      for (Field f : t.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        Object v;
        try {
          f.setAccessible(true);
          v = f.get(o);
        } catch (ReflectiveOperationException | RuntimeException e) {
          continue;
        }
        if (f.getName().equals("additionalProperties")) {
          if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
            throw new AssertionError(
                where
                    + ": unknown field(s) "
                    + extra.keySet()
                    + " at "
                    + (path.isEmpty() ? "the top level" : path.substring(1))
                    + " ("
                    + type.getSimpleName()
                    + ")");
          }
          continue;
        }
        walk(v, path + "." + f.getName(), where, seen);
      }
    }
  }

  /** The objects of one type. */
  static <T> List<T> of(List<Object> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
