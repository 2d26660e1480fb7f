package dev.r1.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad job specs and datasets: each is answered with a 4xx problem+json naming the field or line,
 * and nothing is stored (job, dataset and event rows and dataset files are counted before and
 * after).
 */
class MalformedInputTest extends PostgresKafkaTest {

  /** A request to make with a caller's key and a valid dataset id of that caller. */
  interface Call {
    Api.Response make(MalformedInputTest t, String key, String dataset);
  }

  private String key;
  private String dataset;

  @BeforeEach
  void caller() {
    key = newKey("malformed");
    dataset = uploadDataset(key, 2);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        job("body is not JSON", "{\"method\": grpo", 400, null, "not valid JSON"),
        job("body is an array", "[1,2]", 400, null, "must be a JSON object"),
        jobWith("unknown method", "\"method\":\"ppo\"", 400, "method", "ppo"),
        jobWith("method of wrong type", "\"method\":7", 400, "method", "must be a string"),
        job("model missing", "{\"method\":\"grpo\",\"dataset\":\"DS\"}", 400, "model", "required"),
        jobWith(
            "model path traversal", "\"model\":\"../../etc/passwd\"", 400, "model", "not a path"),
        jobWith("absolute model path", "\"model\":\"/etc/passwd\"", 400, "model", "not a path"),
        jobWith("unknown model", "\"model\":\"gpt-17\"", 400, "model", "unknown model"),
        jobWith("unknown dataset", "\"dataset\":\"ds-nope\"", 400, "dataset", "no dataset"),
        hyper(
            "negative group size",
            "{\"group_size\":-4}",
            "hyperparameters.group_size",
            "between 2 and 256"),
        hyper(
            "group size as a string",
            "{\"group_size\":\"8\"}",
            "hyperparameters.group_size",
            "must be an integer but was a string"),
        hyper(
            "fractional group size",
            "{\"group_size\":8.5}",
            "hyperparameters.group_size",
            "must be an integer"),
        hyper(
            "learning rate too large",
            "{\"learning_rate\":5}",
            "hyperparameters.learning_rate",
            "between"),
        hyper(
            "boolean hyperparameter as a string",
            "{\"dynamic_sampling\":\"yes\"}",
            "hyperparameters.dynamic_sampling",
            "must be true or false"),
        hyper(
            "unknown hyperparameter",
            "{\"grup_size\":8}",
            "hyperparameters.grup_size",
            "unknown hyperparameter"),
        hyper(
            "unknown loss aggregation",
            "{\"loss_aggregation\":\"mean\"}",
            "hyperparameters.loss_aggregation",
            "must be one of"),
        job(
            "hyperparameters not an object",
            "{\"method\":\"grpo\",\"model\":\"tiny-arith\",\"dataset\":\"DS\","
                + "\"hyperparameters\":[8]}",
            400,
            "hyperparameters",
            "must be an object"),
        job(
            "distill without a teacher",
            "{\"method\":\"distill\",\"model\":\"tiny-arith\",\"dataset\":\"DS\"}",
            400,
            "hyperparameters.teacher_model",
            "required"),
        job(
            "pipeline preset that does not exist",
            "{\"method\":\"pipeline\",\"model\":\"tiny-arith\",\"dataset\":\"DS\","
                + "\"hyperparameters\":{\"preset\":\"huge\"}}",
            400,
            "hyperparameters.preset",
            "must be one of"),
        jobWith(
            "unknown reward function",
            "\"reward\":{\"functions\":[{\"name\":\"vibes\",\"weight\":1}]}",
            400,
            "reward.functions[0].name",
            "vibes"),
        jobWith("unknown top-level field", "\"suffix\":\"x\"", 400, "suffix", "unknown field"),
        Arguments.of(
            "limit out of range",
            (Call) (t, k, d) -> t.api.get("/v1/jobs?limit=0", k),
            400,
            "limit",
            null,
            "between 1 and 100"),
        dataset(
            "missing answer on line 7", lines(6, "{\"prompt\":\"p7\"}"), 7, "answer is missing"),
        Arguments.of(
            "non-UTF-8 bytes on line 2",
            (Call)
                (t, k, d) ->
                    t.api.post(
                        "/v1/datasets",
                        k,
                        "application/x-ndjson",
                        concat(
                            lines(1, null).getBytes(StandardCharsets.UTF_8),
                            new byte[] {
                              '{',
                              '"',
                              'p',
                              'r',
                              'o',
                              'm',
                              'p',
                              't',
                              '"',
                              ':',
                              '"',
                              (byte) 0xC3,
                              (byte) 0x28,
                              '"',
                              '}',
                              '\n'
                            })),
            400,
            null,
            2L,
            "not valid UTF-8"),
        dataset("line that is not JSON", lines(2, "{prompt: 1+1}"), 3, "not valid JSON"),
        dataset("line that is an array", "[\"1+1\",\"2\"]\n", 1, "must be a JSON object"),
        dataset(
            "prompt of wrong type",
            "{\"prompt\":42,\"answer\":\"42\"}\n",
            1,
            "prompt must be a string but was a number"),
        Arguments.of(
            "empty dataset",
            (Call)
                (t, k, d) ->
                    t.api.post("/v1/datasets", k, "application/x-ndjson", "\n\n".getBytes()),
            400,
            null,
            null,
            "no records"),
        Arguments.of(
            "path in the dataset filename",
            (Call)
                (t, k, d) ->
                    t.api.post(
                        "/v1/datasets?filename=../../etc/passwd",
                        k,
                        "application/x-ndjson",
                        lines(1, null).getBytes(StandardCharsets.UTF_8)),
            400,
            "filename",
            null,
            "must match"),
        Arguments.of(
            "a 2 GB upload (declared length)",
            (Call) (t, k, d) -> t.rawUpload(k, 2L * 1024 * 1024 * 1024),
            413,
            null,
            null,
            "larger than the limit"),
        Arguments.of(
            "an oversized chunked upload (counted while streaming)",
            (Call) (t, k, d) -> t.chunkedUpload(k, 3 * 1024 * 1024),
            413,
            null,
            null,
            "larger than the limit"),
        Arguments.of(
            "an oversized multipart upload",
            (Call) (t, k, d) -> t.multipartUpload(k, 2 * 1024 * 1024),
            413,
            null,
            null,
            "limit"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isRejectedWithAClearProblemAndNothingStored(
      String name, Call call, int status, String field, Long line, String detailPart)
      throws IOException {
    long jobs = rows("jobs");
    long datasets = rows("datasets");
    long events = rows("job_events");
    long files = storedDatasetFiles();

    Api.Response r = call.make(this, key, dataset);

    assertThat(r.status()).as(name + ": " + r.body()).isEqualTo(status);
    assertThat(r.isProblem()).as(name + " content type " + r.contentType()).isTrue();
    JsonNode problem = r.json();
    assertThat(problem.get("status").asInt()).isEqualTo(status);
    assertThat(problem.get("detail").asText()).as(name).contains(detailPart);
    if (field != null) {
      assertThat(problem.get("field")).as(name + ": " + r.body()).isNotNull();
      assertThat(problem.get("field").asText()).isEqualTo(field);
    }
    if (line != null) {
      assertThat(problem.get("line").asLong()).as(name).isEqualTo(line);
      assertThat(problem.get("detail").asText()).startsWith("line " + line + ": ");
    }
    assertThat(rows("jobs")).as("job rows after " + name).isEqualTo(jobs);
    assertThat(rows("datasets")).as("dataset rows after " + name).isEqualTo(datasets);
    assertThat(rows("job_events")).as("event rows after " + name).isEqualTo(events);
    assertThat(storedDatasetFiles()).as("dataset files after " + name).isEqualTo(files);
  }

  private static Arguments job(String name, String body, int status, String field, String detail) {
    return Arguments.of(
        name,
        (Call) (t, k, d) -> t.api.postJson("/v1/jobs", k, body.replace("\"DS\"", "\"" + d + "\"")),
        status,
        field,
        null,
        detail);
  }

  /** A valid grpo job with one member replaced (or added). */
  private static Arguments jobWith(
      String name, String member, int status, String field, String detail) {
    String memberName = member.substring(1, member.indexOf('"', 1));
    StringBuilder body = new StringBuilder("{");
    for (String m :
        new String[] {"\"method\":\"grpo\"", "\"model\":\"tiny-arith\"", "\"dataset\":\"DS\""}) {
      if (!m.startsWith("\"" + memberName + "\"")) {
        body.append(m).append(',');
      }
    }
    body.append(member).append('}');
    return job(name, body.toString(), status, field, detail);
  }

  private static Arguments hyper(String name, String hyper, String field, String detail) {
    return job(
        name,
        "{\"method\":\"grpo\",\"model\":\"tiny-arith\",\"dataset\":\"DS\",\"hyperparameters\":"
            + hyper
            + "}",
        400,
        field,
        detail);
  }

  private static Arguments dataset(String name, String body, long line, String detail) {
    return Arguments.of(
        name,
        (Call)
            (t, k, d) ->
                t.api.post(
                    "/v1/datasets",
                    k,
                    "application/x-ndjson",
                    body.getBytes(StandardCharsets.UTF_8)),
        400,
        null,
        line,
        detail);
  }

  /** {@code n} good lines, then {@code last} (if not null) as line n+1. */
  private static String lines(int n, String last) {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      sb.append("{\"prompt\":\"p").append(i).append("\",\"answer\":\"a").append(i).append("\"}\n");
    }
    if (last != null) {
      sb.append(last).append('\n');
    }
    return sb.toString();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Declares {@code declared} bytes, sends 64 KiB of them and reads the answer. */
  Api.Response rawUpload(String key, long declared) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      String head =
          "POST /v1/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
              + key
              + "\r\nContent-Type: application/x-ndjson\r\nContent-Length: "
              + declared
              + "\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = lines(1000, null).getBytes(StandardCharsets.UTF_8);
      out.write(chunk, 0, Math.min(chunk.length, 64 * 1024));
      out.flush();
      return readResponse(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Api.Response chunkedUpload(String key, int bytes) {
    byte[] line = "{\"prompt\":\"p\",\"answer\":\"a\"}\n".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (body.size() < bytes) {
      body.writeBytes(line);
    }
    byte[] all = body.toByteArray();
    InputStreamSupplier supplier = () -> new java.io.ByteArrayInputStream(all);
    return api.send(
        api.request("/v1/datasets", key)
            .header("Content-Type", "application/x-ndjson")
            .POST(HttpRequest.BodyPublishers.ofInputStream(supplier::get))
            .build());
  }

  Api.Response multipartUpload(String key, int bytes) {
    String boundary = "r1big";
    StringBuilder sb = new StringBuilder();
    sb.append("--")
        .append(boundary)
        .append("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.jsonl\"\r\n")
        .append("Content-Type: application/x-ndjson\r\n\r\n");
    while (sb.length() < bytes) {
      sb.append("{\"prompt\":\"p\",\"answer\":\"a\"}\n");
    }
    sb.append("\r\n--").append(boundary).append("--\r\n");
    return api.send(
        api.request("/v1/datasets", key)
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofString(sb.toString()))
            .build());
  }

  interface InputStreamSupplier {
    InputStream get();
  }

  private static Api.Response readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        break;
      }
    }
    String headers = head.toString(StandardCharsets.US_ASCII);
    int status = Integer.parseInt(headers.substring(9, 12));
    String contentType = null;
    long length = -1;
    boolean chunked = false;
    for (String line : headers.split("\r\n")) {
      String lower = line.toLowerCase();
      if (lower.startsWith("content-type:")) {
        contentType = line.substring(13).trim();
      } else if (lower.startsWith("content-length:")) {
        length = Long.parseLong(line.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (chunked) {
      while (true) {
        StringBuilder size = new StringBuilder();
        while ((b = in.read()) >= 0 && b != '\n') {
          if (b != '\r') {
            size.append((char) b);
          }
        }
        int n = Integer.parseInt(size.toString().trim(), 16);
        if (n == 0) {
          break;
        }
        body.write(in.readNBytes(n));
        in.readNBytes(2);
      }
    } else if (length >= 0) {
      body.write(in.readNBytes((int) length));
    }
    return new Api.Response(status, contentType, body.toString(StandardCharsets.UTF_8));
  }
}
