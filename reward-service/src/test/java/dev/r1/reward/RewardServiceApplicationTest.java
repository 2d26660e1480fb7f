package dev.r1.reward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.reward.service.ServiceTestBase;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class RewardServiceApplicationTest extends ServiceTestBase {

  @Test
  void startsAndReportsHealthUpOverHttp() throws Exception {
    HttpResponse<String> response = get("/actuator/health");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"status\":\"UP\"");
  }
}
