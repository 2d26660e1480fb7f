package dev.r1.reward.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.contracts.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The REST API over real HTTP: scoring, problem+json errors naming the field, limits. */
class RewardApiTest extends ServiceTestBase {

  private static final String SPEC =
      "{\"rewards\":[{\"name\":\"accuracy\",\"weight\":1.0},{\"name\":\"format\",\"weight\":0.5}]}";

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.mapper().readTree(r.body());
  }

  private static void assertProblem(HttpResponse<String> r, int status, String field)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
    JsonNode p = json(r);
    assertThat(p.path("status").asInt()).isEqualTo(status);
    assertThat(p.path("title").asText()).isNotBlank();
    if (field != null) {
      assertThat(p.path("field").asText()).isEqualTo(field);
      if (!field.equals("$")) {
        assertThat(p.path("detail").asText()).contains(field);
      }
    }
  }

  @Test
  void scoresItemsWithTheGivenSpec() throws Exception {
    String body =
        "{\"spec\":"
            + SPEC
            + ",\"items\":["
            + "{\"completion\":"
            + Json.mapper().writeValueAsString(SampledGroupScoringTest.RIGHT)
            + ",\"reference\":\"42\",\"prompt\":\"What is 6 * 7?\"},"
            + "{\"completion\":"
            + Json.mapper().writeValueAsString(SampledGroupScoringTest.WRONG)
            + ",\"reference\":42},"
            + "{\"completion\":\"<think>\\nhalf\\n</think>\\n$0.5$\",\"reference\":\"\\\\frac{1}{2}\","
            + "\"metadata\":{\"source\":\"test\"}}]}";
    HttpResponse<String> r = postJson("/v1/rewards/score", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode results = json(r).path("results");
    assertThat(results.size()).isEqualTo(3);
    JsonNode first = results.get(0);
    assertThat(first.path("components").path("accuracy").path("value").asDouble()).isEqualTo(1.0);
    assertThat(first.path("components").path("accuracy").path("status").asText()).isEqualTo("OK");
    assertThat(first.path("components").path("format").path("value").asDouble()).isEqualTo(1.0);
    assertThat(first.path("components").path("format").path("weight").asDouble()).isEqualTo(0.5);
    assertThat(first.path("components").path("accuracy").has("millis")).isTrue();
    assertThat(first.path("total").asDouble()).isEqualTo(1.5);
    assertThat(results.get(1).path("components").path("accuracy").path("value").asDouble())
        .isEqualTo(0.0);
    assertThat(results.get(1).path("total").asDouble()).isEqualTo(0.5);
    assertThat(results.get(2).path("components").path("accuracy").path("value").asDouble())
        .as("0.5 equals \\frac{1}{2}")
        .isEqualTo(1.0);
    // component order follows the spec
    List<String> names = new ArrayList<>();
    first.path("components").fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("accuracy", "format");

    HttpResponse<String> again = postJson("/v1/rewards/score", body);
    List<Double> totals = new ArrayList<>();
    List<Double> totalsAgain = new ArrayList<>();
    results.forEach(n -> totals.add(n.path("total").asDouble()));
    json(again).path("results").forEach(n -> totalsAgain.add(n.path("total").asDouble()));
    assertThat(totalsAgain).as("same input, same output").isEqualTo(totals);
  }

  @Test
  void aWeightThatIsNotANumberIsAProblemNamingTheField() throws Exception {
    HttpResponse<String> r =
        postJson(
            "/v1/rewards/score",
            "{\"spec\":{\"rewards\":[{\"name\":\"accuracy\",\"weight\":\"heavy\"}]},"
                + "\"items\":[{\"completion\":\"x\",\"reference\":\"1\"}]}");
    assertProblem(r, 400, "spec.rewards[0].weight");
    assertThat(json(r).path("detail").asText())
        .startsWith("spec.rewards[0].weight must be a number");
  }

  @Test
  void specErrorsNameTheirField() throws Exception {
    assertProblem(
        postJson(
            "/v1/rewards/score",
            "{\"spec\":{\"rewards\":[{\"name\":\"format\"},{\"name\":\"no_such_reward\"}]},"
                + "\"items\":[{\"completion\":\"x\"}]}"),
        400,
        "spec.rewards[1].name");
    assertProblem(
        postJson(
            "/v1/rewards/score",
            "{\"spec\":{\"rewards\":[{\"name\":\"format\",\"params\":{\"colour\":1}}]},"
                + "\"items\":[{\"completion\":\"x\"}]}"),
        400,
        "spec.rewards[0].params.colour");
    assertProblem(
        postJson(
            "/v1/rewards/score",
            "{\"spec\":{\"rewards\":[{\"name\":\"format\"}],\"timeout_ms\":-5},"
                + "\"items\":[{\"completion\":\"x\"}]}"),
        400,
        "spec.timeout_ms");
  }

  @Test
  void itemErrorsNameTheirField() throws Exception {
    assertProblem(
        postJson(
            "/v1/rewards/score",
            "{\"spec\":" + SPEC + ",\"items\":[{\"completion\":\"x\"},{\"reference\":\"1\"}]}"),
        400,
        "items[1].completion");
    assertProblem(
        postJson(
            "/v1/rewards/score",
            "{\"spec\":" + SPEC + ",\"items\":[{\"completion\":\"x\",\"metadata\":[1]}]}"),
        400,
        "items[0].metadata");
    assertProblem(
        postJson("/v1/rewards/score", "{\"items\":[{\"completion\":\"x\"}]}"), 400, "spec");
    assertProblem(
        postJson("/v1/rewards/score", "{\"spec\":" + SPEC + ",\"items\":[]}"), 400, "items");
  }

  @Test
  void malformedJsonIsAProblem() throws Exception {
    assertProblem(postJson("/v1/rewards/score", "{\"spec\": {"), 400, null);
  }

  @Test
  void aBodyOverTheSizeLimitIs413() throws Exception {
    String big = "a".repeat(3 * 1024 * 1024); // limit in tests: 2 MB
    String body = "{\"spec\":" + SPEC + ",\"items\":[{\"completion\":\"" + big + "\"}]}";
    HttpResponse<String> r = postJson("/v1/rewards/score", body);
    assertProblem(r, 413, "$");
    assertThat(json(r).path("limit").asLong()).isEqualTo(2L * 1024 * 1024);

    // without a Content-Length (chunked)
    HttpResponse<String> chunked =
        HTTP.send(
            HttpRequest.newBuilder(uri("/v1/rewards/score"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(body.getBytes())))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertProblem(chunked, 413, "$");
  }

  @Test
  void tooManyItemsIs413() throws Exception {
    StringBuilder items = new StringBuilder();
    for (int i = 0; i < 65; i++) { // limit in tests: 64
      items.append(i == 0 ? "" : ",").append("{\"completion\":\"x\"}");
    }
    HttpResponse<String> r =
        postJson("/v1/rewards/score", "{\"spec\":" + SPEC + ",\"items\":[" + items + "]}");
    assertProblem(r, 413, "items");
    assertThat(json(r).path("limit").asInt()).isEqualTo(64);
  }

  @Test
  void listsTheRewardFunctionsWithTheirParameters() throws Exception {
    HttpResponse<String> r = get("/v1/rewards/functions");
    assertThat(r.statusCode()).isEqualTo(200);
    Map<String, List<String>> byName = new java.util.LinkedHashMap<>();
    for (JsonNode f : json(r).path("functions")) {
      List<String> params = new ArrayList<>();
      f.path("parameters").forEach(p -> params.add(p.asText()));
      byName.put(f.path("name").asText(), params);
    }
    assertThat(byName)
        .containsKeys(
            "accuracy",
            "format",
            "tag_count",
            "language_consistency",
            "length",
            "countdown",
            "code",
            "repetition",
            "soft_overlong");
    assertThat(byName.get("accuracy")).contains("precision", "timeout_ms", "multiple_choice");
    assertThat(byName.get("format")).contains("require_answer_tags", "think_prefilled");
    assertThat(byName.get("code")).contains("wall_seconds", "memory_mb");
    JsonNode dflt = json(r).path("defaultSpec").path("rewards");
    assertThat(dflt.get(0).path("name").asText()).isEqualTo("accuracy");
    assertThat(dflt.get(1).path("name").asText()).isEqualTo("format");
  }

  @Test
  void prometheusExposesRewardLatencyPerFunction() throws Exception {
    postJson(
        "/v1/rewards/score",
        "{\"spec\":" + SPEC + ",\"items\":[{\"completion\":\"x\",\"reference\":\"1\"}]}");
    assertThat(get("/actuator/prometheus").statusCode()).isEqualTo(401);
    assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
    HttpResponse<String> r = getActuator("/actuator/prometheus");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .containsPattern("r1_reward_latency_seconds_count\\{[^}]*function=\"accuracy\"")
        .containsPattern("r1_reward_latency_seconds_count\\{[^}]*function=\"format\"")
        .contains("application=\"reward-service\"")
        .contains("r1_reward_completions_total");
  }
}
