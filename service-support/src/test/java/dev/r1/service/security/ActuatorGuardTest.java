package dev.r1.service.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A real servlet app with the auto-configuration, probed over HTTP. */
class ActuatorGuardTest {

  @SpringBootApplication
  @RestController
  static class App {
    @GetMapping("/v1/ping")
    String ping() {
      return "pong";
    }
  }

  private final HttpClient http = HttpClient.newHttpClient();

  private ConfigurableApplicationContext start(String... props) {
    return new SpringApplicationBuilder(App.class)
        .properties(
            "server.port=0",
            "spring.application.name=guarded",
            "management.endpoints.web.exposure.include=health,info,prometheus,env,metrics")
        .properties(props)
        .run();
  }

  private int status(ConfigurableApplicationContext ctx, String path, String auth)
      throws Exception {
    String port = ctx.getEnvironment().getProperty("local.server.port");
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 401) {
      assertThat(r.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/problem+json");
    }
    return r.statusCode();
  }

  @Test
  void onlyHealthIsOpenAndTheTokenOpensTheRest() throws Exception {
    try (ConfigurableApplicationContext ctx = start("r1.security.actuator.token=s3cret-token")) {
      assertThat(status(ctx, "/actuator/health", null)).isEqualTo(200);
      assertThat(status(ctx, "/actuator/health/liveness", null)).isIn(200, 404);
      assertThat(status(ctx, "/v1/ping", null)).isEqualTo(200);
      for (String p :
          new String[] {
            "/actuator",
            "/actuator/",
            "/actuator/prometheus",
            "/actuator/env",
            "/actuator/metrics",
            "/actuator/info",
            "//actuator/env",
            "/actuator/./env",
            "/actuator/health/../env",
            "/actuator/env;health",
            "/actuator/health;/../env"
          }) {
        assertThat(status(ctx, p, null)).as(p).isEqualTo(401);
        assertThat(status(ctx, p, "Bearer wrong")).as(p).isEqualTo(401);
        assertThat(status(ctx, p, "Basic czNjcmV0LXRva2Vu")).as(p).isEqualTo(401);
      }
      assertThat(status(ctx, "/actuator/prometheus", "Bearer s3cret-token")).isEqualTo(200);
      assertThat(status(ctx, "/actuator/env", "Bearer s3cret-token")).isEqualTo(200);
    }
  }

  @Test
  void withoutATokenNothingButTheOpenEndpointsAnswers() throws Exception {
    try (ConfigurableApplicationContext ctx = start()) {
      assertThat(status(ctx, "/actuator/health", null)).isEqualTo(200);
      assertThat(status(ctx, "/actuator/prometheus", null)).isEqualTo(401);
      assertThat(status(ctx, "/actuator/prometheus", "Bearer ")).isEqualTo(401);
      assertThat(status(ctx, "/actuator/prometheus", "Bearer")).isEqualTo(401);
    }
  }

  @Test
  void prometheusCanBeOpenedForAScraper() throws Exception {
    try (ConfigurableApplicationContext ctx =
        start("r1.security.actuator.open=health,prometheus")) {
      assertThat(status(ctx, "/actuator/prometheus", null)).isEqualTo(200);
      assertThat(status(ctx, "/actuator/env", null)).isEqualTo(401);
    }
  }
}
