package dev.r1.deploy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import java.util.List;

/**
 * prometheus-operator's ServiceMonitor and PodMonitor (monitoring.coreos.com/v1), the fields this
 * repository may use; anything else fails to parse.
 */
final class PrometheusOperator {

  private PrometheusOperator() {}

  record ServiceMonitor(
      String apiVersion, String kind, ObjectMeta metadata, ServiceMonitorSpec spec) {}

  record ServiceMonitorSpec(
      LabelSelector selector,
      NamespaceSelector namespaceSelector,
      String jobLabel,
      List<Endpoint> endpoints) {}

  record NamespaceSelector(Boolean any, List<String> matchNames) {}

  record Endpoint(
      String port,
      String path,
      String scheme,
      String interval,
      String scrapeTimeout,
      Boolean honorLabels,
      Authorization authorization) {}

  record Authorization(String type, SecretKeySelector credentials) {}

  record PodMonitor(String apiVersion, String kind, ObjectMeta metadata, PodMonitorSpec spec) {}

  record PodMonitorSpec(
      LabelSelector selector,
      NamespaceSelector namespaceSelector,
      List<PodMetricsEndpoint> podMetricsEndpoints) {}

  record PodMetricsEndpoint(String port, String path, String interval, Boolean honorLabels) {}
}
