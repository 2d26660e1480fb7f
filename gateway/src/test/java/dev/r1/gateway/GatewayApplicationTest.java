package dev.r1.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The embedded default: H2 in memory (the Flyway migrations run on it), no broker (listener and
 * topic creation off, publishing off), a bootstrap key from config.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.kafka.listener.auto-startup=false",
      "spring.kafka.admin.auto-create=false",
      "r1.gateway.publish-jobs=false",
      "r1.gateway.bootstrap-api-key=r1-local-run-key-abcdefghijklmnop",
      "r1.gateway.data-dir=target/h2-test-data"
    })
class GatewayApplicationTest {

  @Value("${local.server.port}")
  int port;

  @Test
  void startsAndReportsHealthUpOverHttp() {
    Api.Response response = new Api(port).get("/actuator/health", null);
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).contains("\"status\":\"UP\"");
  }

  @Test
  void runsJobsOnTheEmbeddedH2Registry() {
    Api api = new Api(port);
    String key = "r1-local-run-key-abcdefghijklmnop";
    Api.Response ds =
        api.post(
            "/v1/datasets",
            key,
            "application/x-ndjson",
            "{\"prompt\":\"1+1\",\"answer\":\"2\"}\n".getBytes(StandardCharsets.UTF_8));
    assertThat(ds.status()).as(ds.body()).isEqualTo(201);
    Api.Response job =
        api.postJson(
            "/v1/jobs",
            key,
            "{\"method\":\"eval\",\"model\":\"tiny-random\",\"dataset\":\""
                + ds.json().get("id").asText()
                + "\"}");
    assertThat(job.status()).as(job.body()).isEqualTo(201);
    String id = job.json().get("id").asText();
    assertThat(job.json().get("hyperparameters").get("k").asInt()).isEqualTo(16);
    assertThat(api.post("/v1/jobs/" + id + "/cancel", key, null, new byte[0]).status())
        .isEqualTo(200);
    assertThat(
            api.get("/v1/jobs?status=cancelled", key).json().get("data").get(0).get("id").asText())
        .isEqualTo(id);
  }
}
