package dev.r1.reward.service;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * The whole service on a random port against an embedded KRaft broker. Every test class extends
 * this one unchanged, so they share one application context and one broker.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "r1.reward.threads=4",
      "r1.reward.consumer.concurrency=2",
      // retries of a failed publish would take 2+4+8+16 s: poison must not be retried at all
      "r1.reward.consumer.retry-backoff=2s",
      "r1.reward.instance=reward-test",
      "r1.reward.api.max-items=64",
      "r1.reward.api.max-request-size=2MB",
      "r1.security.actuator.token=test-actuator-token",
      "logging.level.org.apache.kafka=WARN",
      "logging.level.kafka=WARN",
      "logging.level.state.change.logger=WARN",
      "logging.level.org.springframework.kafka.listener=WARN"
    })
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
public abstract class ServiceTestBase {

  protected static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Value("${local.server.port}")
  protected int port;

  protected URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  protected HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** GET with the actuator bearer token the test context configures. */
  protected HttpResponse<String> getActuator(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer test-actuator-token")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  protected HttpResponse<String> postJson(String path, String json) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
