package dev.r1.distill;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DistillServiceApplicationTest {

  @Value("${local.server.port}")
  int port;

  @Test
  void startsAndReportsHealthUpOverHttp() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"status\":\"UP\"");

    for (String closed : new String[] {"/actuator/prometheus", "/actuator/info", "/actuator"}) {
      assertThat(
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + closed))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .as("%s without the actuator token", closed)
          .isEqualTo(401);
    }
  }
}
