package dev.r1.training.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.reward.RewardInput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A judge behind HTTP: {@code POST url} with {@code {"items": [{"prompt": ..., "completion": ...},
 * ...]}} answers {@code {"scores": [s0, s1, ...]}}, one finite number per item in order. Anything
 * else (an HTTP error, a wrong count, a non-number) fails the call with the reason.
 */
public final class HttpJudgeRewardModel implements RewardModel {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private final URI url;
  private final Duration timeout;

  public HttpJudgeRewardModel(URI url, Duration timeout) {
    this.url = url;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public String name() {
    return "judge";
  }

  @Override
  public List<Double> score(List<RewardInput> inputs) {
    List<Map<String, String>> items = new ArrayList<>(inputs.size());
    for (RewardInput in : inputs) {
      Map<String, String> item = new LinkedHashMap<>();
      item.put("prompt", in.prompt());
      item.put("completion", in.completion());
      items.add(item);
    }
    try {
      HttpRequest req =
          HttpRequest.newBuilder(url)
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      JSON.writeValueAsString(Map.of("items", items))))
              .build();
      HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() != 200) {
        throw new IllegalStateException(
            "the judge at " + url + " answered HTTP " + res.statusCode() + ": " + res.body());
      }
      JsonNode scores = JSON.readTree(res.body()).get("scores");
      if (scores == null || !scores.isArray() || scores.size() != inputs.size()) {
        throw new IllegalStateException(
            "the judge at "
                + url
                + " must answer {\"scores\": [...]} with "
                + inputs.size()
                + " numbers, got "
                + res.body());
      }
      List<Double> out = new ArrayList<>(inputs.size());
      for (int i = 0; i < scores.size(); i++) {
        JsonNode s = scores.get(i);
        if (!s.isNumber() || !Double.isFinite(s.asDouble())) {
          throw new IllegalStateException(
              "the judge at " + url + " gave scores[" + i + "] = " + s + ", not a finite number");
        }
        out.add(s.asDouble());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("the judge at " + url + " could not be reached", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while calling the judge at " + url, e);
    }
  }
}
