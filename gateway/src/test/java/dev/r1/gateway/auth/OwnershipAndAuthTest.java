package dev.r1.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.gateway.Api;
import dev.r1.gateway.PostgresKafkaTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OwnershipAndAuthTest extends PostgresKafkaTest {

  @Test
  void everyV1RouteNeedsAKey() {
    for (String path :
        List.of(
            "/v1/jobs",
            "/v1/jobs/job-x",
            "/v1/jobs/job-x/events",
            "/v1/jobs/job-x/checkpoints",
            "/v1/jobs/job-x/metrics",
            "/v1/datasets",
            "/v1/datasets/ds-x",
            "/v1/models",
            "/v1/methods",
            "/actuator/prometheus")) {
      Api.Response anonymous = api.get(path, null);
      assertThat(anonymous.status()).as(path).isEqualTo(401);
      assertThat(anonymous.isProblem()).as(path).isTrue();
      assertThat(api.get(path, "r1-not-a-registered-key-000000000000").status())
          .as(path)
          .isEqualTo(401);
      assertThat(api.get(path, "sk-wrong-prefix").status()).as(path).isEqualTo(401);
    }
    for (String path : List.of("/v1/jobs", "/v1/jobs/job-x/cancel", "/v1/datasets")) {
      assertThat(api.postJson(path, null, "{}").status()).as(path).isEqualTo(401);
    }
  }

  @Test
  void healthIsOpenAndOtherActuatorEndpointsNeedAKey() {
    assertThat(api.get("/actuator/health", null).status()).isEqualTo(200);
    String key = newKey("ops");
    Api.Response prometheus = api.get("/actuator/prometheus", key);
    assertThat(prometheus.status()).isEqualTo(200);
    assertThat(prometheus.body()).contains("application=\"gateway\"");
  }

  @Test
  void bootstrapKeyFromConfigAuthenticatesItsOwner() {
    Api.Response r = api.get("/v1/jobs", "r1-test-bootstrap-key-0123456789");
    assertThat(r.status()).isEqualTo(200);
    assertThat(
            jdbc.sql("SELECT COUNT(*) FROM api_keys WHERE owner = 'admin'")
                .query(Long.class)
                .single())
        .isEqualTo(1);
    assertThat(
            jdbc.sql("SELECT COUNT(*) FROM api_keys WHERE key_hash LIKE 'r1-%'")
                .query(Long.class)
                .single())
        .isZero();
  }

  @Test
  void aCallerSeesOnlyItsOwnJobsAndDatasets() {
    String alice = newKey("alice");
    String bob = newKey("bob");
    String aliceDs = uploadDataset(alice, 2);
    String aliceJob = createJob(alice, aliceDs, null).json().get("id").asText();
    String bobDs = uploadDataset(bob, 2);
    String bobJob = createJob(bob, bobDs, null).json().get("id").asText();

    for (String path :
        List.of(
            "/v1/jobs/" + aliceJob,
            "/v1/jobs/" + aliceJob + "/events",
            "/v1/jobs/" + aliceJob + "/checkpoints",
            "/v1/jobs/" + aliceJob + "/metrics",
            "/v1/datasets/" + aliceDs)) {
      Api.Response r = api.get(path, bob);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(r.json().get("detail").asText()).doesNotContain("alice");
      assertThat(api.get(path, alice).status()).as(path).isEqualTo(200);
    }
    for (String op : List.of("cancel", "pause", "resume")) {
      assertThat(api.post("/v1/jobs/" + aliceJob + "/" + op, bob, null, new byte[0]).status())
          .as(op)
          .isEqualTo(404);
    }
    assertThat(api.get("/v1/jobs/" + aliceJob, alice).json().get("status").asText())
        .isEqualTo("validating");

    assertThat(ids(api.get("/v1/jobs", bob).json())).containsExactly(bobJob);
    assertThat(ids(api.get("/v1/datasets", bob).json())).containsExactly(bobDs);
    assertThat(ids(api.get("/v1/jobs", alice).json())).containsExactly(aliceJob);

    Api.Response borrowed = createJob(bob, aliceDs, null);
    assertThat(borrowed.status()).isEqualTo(400);
    assertThat(borrowed.json().get("field").asText()).isEqualTo("dataset");
    Api.Response cursor = api.get("/v1/jobs?after=" + aliceJob, bob);
    assertThat(cursor.status()).isEqualTo(400);
    assertThat(cursor.json().get("field").asText()).isEqualTo("after");
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("data").forEach(j -> ids.add(j.get("id").asText()));
    return ids;
  }
}
