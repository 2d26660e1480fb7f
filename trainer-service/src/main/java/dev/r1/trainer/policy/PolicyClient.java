package dev.r1.trainer.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.trainer.TrainerProperties;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The trainer's side of the policy-service: downloads base models (checking every file's sha256)
 * and registers each new policy version by uploading its Hugging Face folder.
 */
@Component
public class PolicyClient {

  private static final Logger log = LoggerFactory.getLogger(PolicyClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;

  public PolicyClient(TrainerProperties props) {
    this.base = props.policyServiceUrl().replaceAll("/+$", "");
  }

  /**
   * Downloads model {@code name} into {@code target} (replacing it) and returns it: a base model's
   * registry name, or {@code job:<jobId>@<version>} (a job's policy version, e.g. the output of a
   * pipeline's previous stage; {@code job:<jobId>} is its latest version).
   */
  public Path downloadModel(String name, Path target) throws IOException {
    JsonNode manifest = getJson(manifestPath(name));
    Files.createDirectories(target);
    for (JsonNode f : manifest.get("files")) {
      String file = f.get("name").asText();
      if (file.contains("/") || file.contains("..")) {
        throw new IOException("the policy-service listed an unsafe file name '" + file + "'");
      }
      String url =
          f.hasNonNull("url")
              ? f.get("url").asText()
              : base + "/v1/models/" + enc(name) + "/files/" + enc(file);
      download(URI.create(url), target.resolve(file), f.get("sha256").asText());
    }
    log.info(
        "Downloaded base model {} ({} files) into {}.", name, manifest.get("files").size(), target);
    return target;
  }

  /**
   * The newest policy version the policy-service holds for a job, or 0 when it holds none (a
   * resumed job numbers its next version above it, since versions only grow).
   */
  public long latestVersion(String jobId) throws IOException {
    String path = "/v1/jobs/" + enc(jobId) + "/versions/latest";
    HttpResponse<String> res =
        send(
            HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() == 404) {
      return 0;
    }
    if (res.statusCode() != 200) {
      throw new IOException(
          "GET " + base + path + " answered HTTP " + res.statusCode() + ": " + res.body());
    }
    return JSON.readTree(res.body()).get("version").asLong();
  }

  /** The policy-service path of a model reference's manifest (see {@link #downloadModel}). */
  static String manifestPath(String name) {
    if (!name.startsWith("job:")) {
      return "/v1/models/" + enc(name) + "/manifest";
    }
    String ref = name.substring(4);
    int at = ref.lastIndexOf('@');
    String jobId = at < 0 ? ref : ref.substring(0, at);
    if (jobId.isBlank()) {
      throw new IllegalArgumentException("model reference '" + name + "' names no job");
    }
    if (at < 0) {
      return "/v1/jobs/" + enc(jobId) + "/versions/latest";
    }
    String version = ref.substring(at + 1);
    if (!version.matches("\\d{1,18}")) {
      throw new IllegalArgumentException(
          "model reference '" + name + "' must end with @<version number>, got @" + version);
    }
    return "/v1/jobs/" + enc(jobId) + "/versions/" + version + "/manifest";
  }

  /** Uploads a version folder for a job; returns the manifest URL the service answered with. */
  public String registerVersion(String jobId, long version, long step, Path folder)
      throws IOException {
    return registerVersion(jobId, version, step, false, folder);
  }

  /**
   * Uploads a version folder for a job, marked as a checkpoint version when {@code checkpoint} (the
   * policy-service's retention keeps a job's newest checkpoint version besides its newest
   * versions); returns the manifest URL the service answered with.
   */
  public String registerVersion(
      String jobId, long version, long step, boolean checkpoint, Path folder) throws IOException {
    String boundary = "r1-" + UUID.randomUUID();
    List<byte[]> parts = new ArrayList<>();
    parts.add(field(boundary, "version", Long.toString(version)));
    parts.add(field(boundary, "step", Long.toString(step)));
    parts.add(field(boundary, "checkpoint", Boolean.toString(checkpoint)));
    try (Stream<Path> files = Files.list(folder)) {
      for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
        String head =
            "--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + p.getFileName()
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] body = Files.readAllBytes(p);
        byte[] part = new byte[h.length + body.length + 2];
        System.arraycopy(h, 0, part, 0, h.length);
        System.arraycopy(body, 0, part, h.length, body.length);
        part[part.length - 2] = '\r';
        part[part.length - 1] = '\n';
        parts.add(part);
      }
    }
    parts.add(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(base + "/v1/jobs/" + enc(jobId) + "/versions"))
            .timeout(Duration.ofMinutes(5))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArrays(parts))
            .build();
    HttpResponse<String> res = send(req, HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() / 100 != 2) {
      throw new IOException(
          "the policy-service refused version "
              + version
              + " of job "
              + jobId
              + ": HTTP "
              + res.statusCode()
              + " "
              + res.body());
    }
    return res.headers().firstValue("Location").orElse("");
  }

  private static byte[] field(String boundary, String name, String value) {
    return ("--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\""
            + name
            + "\"\r\n\r\n"
            + value
            + "\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private JsonNode getJson(String path) throws IOException {
    HttpResponse<String> res =
        send(
            HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() != 200) {
      throw new IOException(
          "GET " + base + path + " answered HTTP " + res.statusCode() + ": " + res.body());
    }
    return JSON.readTree(res.body());
  }

  private void download(URI url, Path target, String sha256) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".part");
    HttpResponse<InputStream> res =
        send(
            HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(5)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    if (res.statusCode() != 200) {
      throw new IOException("GET " + url + " answered HTTP " + res.statusCode());
    }
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = new DigestInputStream(res.body(), digest)) {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equalsIgnoreCase(sha256)) {
      Files.deleteIfExists(tmp);
      throw new IOException("sha256 of " + url + " is " + actual + ", the manifest says " + sha256);
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
  }

  private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    try {
      return http.send(req, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + req.uri(), e);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
