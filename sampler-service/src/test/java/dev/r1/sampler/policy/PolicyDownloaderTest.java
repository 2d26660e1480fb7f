package dev.r1.sampler.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.r1.contracts.PolicyFormat;
import dev.r1.contracts.PolicyPublished;
import dev.r1.sampler.SamplerProperties;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyDownloaderTest {

  @TempDir Path dir;

  private HttpServer server;
  private final Map<String, Map<String, byte[]>> versions = new ConcurrentHashMap<>();
  private final List<String> requested = new CopyOnWriteArrayList<>();
  private final ObjectMapper json = new ObjectMapper();
  private PolicyDownloader downloader;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v/",
        exchange -> {
          // /v/<n>/<file> (the manifest's urls) or /v/<n>/files/<file> (beside the manifest)
          String[] parts = exchange.getRequestURI().getPath().split("/");
          String file = parts.length == 5 && parts[3].equals("files") ? parts[4] : parts[3];
          requested.add(parts[2] + "/" + file);
          Map<String, byte[]> files = versions.get(parts[2]);
          byte[] body = file.equals("manifest") ? manifest(parts[2], files) : files.get(file);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    downloader =
        new PolicyDownloader(
            new SamplerProperties(
                "test",
                "g",
                1,
                16,
                0,
                2,
                Duration.ofSeconds(1),
                null,
                null,
                "tiny",
                null,
                dir.resolve("cache"),
                SamplerProperties.TextPrompts.CHAT,
                2,
                false,
                1,
                0));
  }

  @AfterEach
  void stop() {
    server.stop(0);
    downloader.close();
  }

  @Test
  void filesAnEarlierVersionBroughtAreLinkedInsteadOfDownloadedAgain() throws Exception {
    serve("1", "weights one", "tokenizer", "config");
    Path v1 = download("1").dir();
    assertThat(requested)
        .containsExactlyInAnyOrder(
            "1/manifest", "1/model.safetensors", "1/tokenizer.json", "1/config.json");

    requested.clear();
    serve("2", "weights two", "tokenizer", "config");
    Path v2 = download("2").dir();
    assertThat(requested).containsExactlyInAnyOrder("2/manifest", "2/model.safetensors");
    assertThat(Files.readString(v2.resolve("tokenizer.json"))).isEqualTo("tokenizer");
    assertThat(Files.readString(v2.resolve("config.json"))).isEqualTo("config");
    assertThat(Files.readString(v2.resolve("model.safetensors"))).isEqualTo("weights two");

    // the first version's folder goes (its model closed): the blobs v2 links stay
    deleteTree(v1);
    requested.clear();
    serve("3", "weights three", "tokenizer", "config two");
    Path v3 = download("3").dir();
    assertThat(requested)
        .containsExactlyInAnyOrder("3/manifest", "3/model.safetensors", "3/config.json");
    assertThat(Files.readString(v3.resolve("config.json"))).isEqualTo("config two");
    assertThat(Files.readString(v3.resolve("tokenizer.json"))).isEqualTo("tokenizer");

    // blobs that no folder links any more are deleted: weights one (v1 gone), and after v2 goes,
    // weights two and the first config
    deleteTree(v2);
    serve("4", "weights three", "tokenizer", "config two");
    download("4");
    try (Stream<Path> blobs = Files.list(dir.resolve("cache").resolve(".blobs"))) {
      assertThat(blobs.map(p -> p.getFileName().toString()).toList())
          .containsExactlyInAnyOrder(sha("weights three"), sha("tokenizer"), sha("config two"));
    }
  }

  @Test
  void aFileThatDoesNotMatchItsHashFailsTheDownloadAndLeavesNoFolder() throws Exception {
    serve("1", "weights", "tokenizer", "config");
    versions.get("1").put("tokenizer.json", "tampered".getBytes(StandardCharsets.UTF_8));
    manifests.put("1", sha("tokenizer")); // the manifest still names the original content
    assertThatThrownBy(() -> download("1"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("sha256");
    assertThat(dir.resolve("cache").resolve("job").resolve("v1")).doesNotExist();
  }

  @Test
  void aPublishedVersionThatListsItsFilesIsFetchedWithoutAManifestRequest() throws Exception {
    serve("1", "weights one", "tokenizer", "config");
    PolicyDownloader.Downloaded v1 = downloader.download(published("1", null), "job/v1");
    assertThat(requested)
        .containsExactlyInAnyOrder("1/model.safetensors", "1/tokenizer.json", "1/config.json");
    assertThat(v1.version()).isEqualTo(1);
    assertThat(v1.step()).isEqualTo(10);
    assertThat(Files.readString(v1.dir().resolve("model.safetensors"))).isEqualTo("weights one");

    requested.clear();
    serve("2", "weights two", "tokenizer", "config");
    Path v2 = downloader.download(published("2", null), "job/v2").dir();
    assertThat(requested).as("the held blobs are linked").containsExactly("2/model.safetensors");
    assertThat(Files.readString(v2.resolve("tokenizer.json"))).isEqualTo("tokenizer");

    requested.clear();
    serve("3", "weights three", "tokenizer", "config");
    Map<String, String> lies = Map.of("model.safetensors", sha("other weights"));
    assertThatThrownBy(() -> downloader.download(published("3", lies), "job/v3"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("sha256");
    assertThat(dir.resolve("cache").resolve("job").resolve("v3")).doesNotExist();
  }

  @Test
  void aPublishedVersionWithoutAFileListIsFetchedThroughItsManifest() throws Exception {
    serve("1", "weights", "tokenizer", "config");
    PolicyPublished listed = published("1", null);
    PolicyPublished unlisted =
        new PolicyPublished(
            listed.schemaVersion(),
            listed.jobId(),
            listed.version(),
            listed.step(),
            listed.uri(),
            listed.sha256(),
            listed.format(),
            listed.sizeBytes(),
            listed.publishedAt());
    downloader.download(unlisted, "job/v1");
    assertThat(requested).contains("1/manifest").hasSize(4);
  }

  // ---- helpers ----

  /** The event the policy-service publishes for a served version (file hashes overridable). */
  private PolicyPublished published(String v, Map<String, String> shaOverrides) {
    Map<String, byte[]> files = versions.get(v);
    List<PolicyPublished.File> listed = new java.util.ArrayList<>();
    long total = 0;
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      String content = new String(f.getValue(), StandardCharsets.UTF_8);
      String hash =
          shaOverrides != null && shaOverrides.containsKey(f.getKey())
              ? shaOverrides.get(f.getKey())
              : sha(content);
      listed.add(new PolicyPublished.File(f.getKey(), hash, f.getValue().length));
      total += f.getValue().length;
    }
    return new PolicyPublished(
        PolicyPublished.SCHEMA_VERSION,
        "job",
        Long.parseLong(v),
        Long.parseLong(v) * 10,
        "http://127.0.0.1:" + server.getAddress().getPort() + "/v/" + v + "/manifest",
        sha(new String(files.get("model.safetensors"), StandardCharsets.UTF_8)),
        PolicyFormat.HF_DIRECTORY,
        total,
        java.time.Instant.now(),
        listed);
  }

  private final Map<String, String> manifests = new ConcurrentHashMap<>();

  private PolicyDownloader.Downloaded download(String v) throws Exception {
    return downloader.download(
        "http://127.0.0.1:" + server.getAddress().getPort() + "/v/" + v + "/manifest",
        sha(new String(versions.get(v).get("model.safetensors"), StandardCharsets.UTF_8)),
        "job/v" + v);
  }

  private void serve(String v, String weights, String tokenizer, String config) {
    Map<String, byte[]> files = new ConcurrentHashMap<>();
    files.put("model.safetensors", weights.getBytes(StandardCharsets.UTF_8));
    files.put("tokenizer.json", tokenizer.getBytes(StandardCharsets.UTF_8));
    files.put("config.json", config.getBytes(StandardCharsets.UTF_8));
    versions.put(v, files);
  }

  private byte[] manifest(String v, Map<String, byte[]> files) throws IOException {
    ObjectNode m = json.createObjectNode();
    m.put("jobId", "job");
    m.put("version", Long.parseLong(v));
    m.put("sha256", sha(new String(files.get("model.safetensors"), StandardCharsets.UTF_8)));
    ArrayNode list = m.putArray("files");
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      ObjectNode o = list.addObject();
      o.put("name", f.getKey());
      String content = new String(f.getValue(), StandardCharsets.UTF_8);
      o.put(
          "sha256",
          f.getKey().equals("tokenizer.json") && manifests.containsKey(v)
              ? manifests.get(v)
              : sha(content));
      o.put("sizeBytes", f.getValue().length);
      o.put(
          "url",
          "http://127.0.0.1:" + server.getAddress().getPort() + "/v/" + v + "/" + f.getKey());
    }
    return json.writeValueAsBytes(m);
  }

  private static String sha(String content) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
