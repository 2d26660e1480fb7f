package dev.r1.launcher.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The jobs API as a user scripts it: plain HTTP with a bearer key, JSON in and out. */
final class GatewayClient {

  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final String base;
  private final String key;

  GatewayClient(String base, String key) {
    this.base = base;
    this.key = key;
  }

  /** Uploads JSONL rows as a dataset; returns its id. */
  String uploadDataset(String filename, byte[] jsonl) {
    JsonNode ds =
        send(
            request("/v1/datasets?filename=" + URLEncoder.encode(filename, StandardCharsets.UTF_8))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(jsonl)));
    return ds.get("id").asText();
  }

  /** Creates a job; returns the job object. */
  JsonNode createJob(Map<String, Object> spec) {
    try {
      return send(
          request("/v1/jobs")
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(spec))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonNode job(String id) {
    return send(request("/v1/jobs/" + id).GET());
  }

  JsonNode metrics(String id) {
    return send(request("/v1/jobs/" + id + "/metrics").GET());
  }

  /** Every event after {@code after} (null: from the first), following the cursor. */
  List<JsonNode> eventsAfter(String id, String after) {
    List<JsonNode> out = new ArrayList<>();
    String cursor = after;
    for (; ; ) {
      String q =
          "/v1/jobs/" + id + "/events?limit=100" + (cursor == null ? "" : "&after=" + cursor);
      JsonNode page = send(request(q).GET());
      for (JsonNode e : page.get("data")) {
        out.add(e);
        cursor = e.get("id").asText();
      }
      if (!page.path("has_more").asBoolean(false)) {
        return out;
      }
    }
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + key)
        .header("Accept", "application/json");
  }

  private JsonNode send(HttpRequest.Builder b) {
    HttpRequest req = b.build();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            req.method()
                + " "
                + req.uri().getPath()
                + " answered "
                + r.statusCode()
                + ": "
                + r.body());
      }
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(req.method() + " " + req.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted calling " + req.uri(), e);
    }
  }
}
