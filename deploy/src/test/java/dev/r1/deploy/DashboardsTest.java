package dev.r1.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboards are valid dashboard JSON whose panels all query Prometheus through the
 * ${datasource} variable, and the provisioning files load them. That every metric a query names
 * exists is checked against running services by the launcher's DashboardMetricsCoverageTest.
 */
class DashboardsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<Path> dashboards() throws Exception {
    try (Stream<Path> files = Files.list(Repo.root().resolve("deploy/grafana/dashboards"))) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
  }

  @Test
  void fourDashboardsWithTheIssuesPanels() throws Exception {
    Set<String> titles = new HashSet<>();
    StringBuilder allExpr = new StringBuilder();
    Set<String> uids = new HashSet<>();
    for (Path f : dashboards()) {
      JsonNode d = JSON.readTree(f.toFile());
      assertThat(uids.add(d.path("uid").asText())).as("unique uid " + f).isTrue();
      assertThat(d.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
      JsonNode vars = d.path("templating").path("list");
      assertThat(vars.findValuesAsText("name")).as(f.toString()).contains("datasource");
      Set<Integer> ids = new HashSet<>();
      for (JsonNode p : d.path("panels")) {
        String where = f.getFileName() + " panel " + p.path("title").asText();
        titles.add(p.path("title").asText());
        assertThat(ids.add(p.path("id").asInt())).as(where + " id").isTrue();
        assertThat(p.path("datasource").path("uid").asText()).as(where).isEqualTo("${datasource}");
        assertThat(p.path("gridPos").path("w").asInt()).as(where).isBetween(1, 24);
        assertThat(p.path("targets").size()).as(where).isPositive();
        Set<String> refIds = new HashSet<>();
        for (JsonNode t : p.path("targets")) {
          assertThat(t.path("expr").asText()).as(where).isNotBlank();
          assertThat(refIds.add(t.path("refId").asText())).as(where + " refId").isTrue();
          assertThat(balanced(t.path("expr").asText())).as(where + " brackets").isTrue();
          allExpr.append(t.path("expr").asText()).append('\n');
        }
      }
    }
    assertThat(uids)
        .containsExactlyInAnyOrder("r1-training", "r1-throughput", "r1-fleet", "r1-jvm");
    assertThat(titles)
        .contains(
            "Reward (mean and std over groups)",
            "Accuracy",
            "KL to the reference",
            "Clip ratios",
            "Entropy",
            "Completion length",
            "Reflection rate",
            "Sampler tokens/s",
            "Step time by phase",
            "Policy lag",
            "Consumer lag per group",
            "Replicas per service",
            "Jobs by state",
            "Heap used");
    // per job on the training dashboard; lag per consumer group on the fleet one
    assertThat(allExpr).contains("job=~\"$job\"", "by (consumer_group)", "by (function)");
  }

  private static boolean balanced(String expr) {
    int round = 0;
    int curly = 0;
    int square = 0;
    for (char c : expr.toCharArray()) {
      switch (c) {
        case '(' -> round++;
        case ')' -> round--;
        case '{' -> curly++;
        case '}' -> curly--;
        case '[' -> square++;
        case ']' -> square--;
        default -> {}
      }
      if (round < 0 || curly < 0 || square < 0) {
        return false;
      }
    }
    return round == 0 && curly == 0 && square == 0;
  }

  @Test
  void provisioningLoadsTheDashboardsFromPrometheus() throws Exception {
    JsonNode ds =
        Repo.YAML.readTree(
            Repo.root()
                .resolve("deploy/grafana/provisioning/datasources/r1-prometheus.yaml")
                .toFile());
    assertThat(ds.path("apiVersion").asInt()).isEqualTo(1);
    assertThat(ds.path("datasources").get(0).path("type").asText()).isEqualTo("prometheus");
    assertThat(ds.path("datasources").get(0).path("url").asText()).startsWith("http");
    JsonNode dash =
        Repo.YAML.readTree(
            Repo.root().resolve("deploy/grafana/provisioning/dashboards/r1.yaml").toFile());
    JsonNode provider = dash.path("providers").get(0);
    assertThat(provider.path("type").asText()).isEqualTo("file");
    assertThat(provider.path("options").path("path").asText()).startsWith("/");
    for (Path f : dashboards()) {
      JsonNode d = JSON.readTree(f.toFile());
      // a provisioned dashboard has no numeric id of its own
      assertThat(d.has("id")).as(f.toString()).isFalse();
    }
  }
}
