package dev.r1.sampler.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.contracts.PolicyPublished;
import dev.r1.sampler.SamplerProperties;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Fetches a stored model folder from the policy-service: reads the manifest (or takes the file list
 * from the policy-published event, which names each file's SHA-256 too), downloads the files in
 * parallel, checks each file's SHA-256 against the list (and, from a manifest, the weights' against
 * the published hash), retrying a failed file with backoff. A folder is moved into the cache only
 * when complete.
 *
 * <p>A file whose SHA-256 this sampler already holds from an earlier version (the tokenizer and
 * config of every version of a job, usually) is not downloaded again: downloaded files are
 * hard-linked into {@code cacheDir/.blobs/<sha256>}, and a new folder links the same blob. A blob
 * that no folder links any more is deleted at the next download. On a file system without hard
 * links every file is downloaded.
 */
@Component
public class PolicyDownloader {

  private static final Logger log = LoggerFactory.getLogger(PolicyDownloader.class);
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();
  private final ObjectMapper json = new ObjectMapper();
  private final Path cacheDir;
  private final Path blobs;
  private final int attempts;
  private final ExecutorService pool =
      Executors.newFixedThreadPool(
          4,
          r -> {
            Thread t = new Thread(r, "r1-policy-download");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean links = true;

  PolicyDownloader(SamplerProperties properties) {
    this.cacheDir = properties.cacheDir().toAbsolutePath();
    this.blobs = cacheDir.resolve(".blobs");
    this.attempts = properties.downloadAttempts();
  }

  @PreDestroy
  void close() {
    pool.shutdownNow();
  }

  /** A downloaded folder with what its manifest says about it. */
  public record Downloaded(Path dir, String jobId, long version, long step, String sha256) {}

  /**
   * Downloads the folder a manifest describes into {@code cacheDir/<cacheName>}.
   *
   * @param manifestUrl the manifest's URL
   * @param expectedSha256 the weights' hash as published, or null to trust the manifest
   * @param cacheName the cache sub-directory (e.g. {@code job-1/v3})
   * @throws IOException when a file keeps failing or a hash does not match
   */
  public Downloaded download(String manifestUrl, String expectedSha256, String cacheName)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    JsonNode manifest = json.readTree(fetchText(manifestUrl));
    String sha = manifest.path("sha256").asText(null);
    if (expectedSha256 != null && !expectedSha256.equals(sha)) {
      throw new IOException(
          "manifest "
              + manifestUrl
              + " gives weights sha256 "
              + sha
              + " but the published version says "
              + expectedSha256);
    }
    String jobId = manifest.path("jobId").isTextual() ? manifest.path("jobId").asText() : null;
    List<Listed> files = new ArrayList<>();
    for (JsonNode f : manifest.path("files")) {
      files.add(
          new Listed(
              f.path("name").asText(),
              f.path("url").isTextual() ? f.path("url").asText() : null,
              f.path("sha256").asText(),
              f.path("sizeBytes").asLong(-1)));
    }
    String what = jobId == null ? "base model " + manifest.path("model").asText() : "job " + jobId;
    return fetch(
        manifestUrl,
        files,
        cacheName,
        new Downloaded(
            null, jobId, manifest.path("version").asLong(), manifest.path("step").asLong(), sha),
        what,
        start,
        System.nanoTime());
  }

  /**
   * Downloads a published job version whose event lists its files ({@link PolicyPublished#files}):
   * no manifest request, each file from {@code files/<name>} beside the event's manifest URI. Falls
   * back to reading the manifest when the event does not list them.
   */
  public Downloaded download(PolicyPublished p, String cacheName)
      throws IOException, InterruptedException {
    if (p.files() == null) {
      return download(p.uri(), p.sha256(), cacheName);
    }
    long start = System.nanoTime();
    List<Listed> files = new ArrayList<>(p.files().size());
    for (PolicyPublished.File f : p.files()) {
      files.add(new Listed(f.name(), null, f.sha256(), f.sizeBytes()));
    }
    return fetch(
        p.uri(),
        files,
        cacheName,
        new Downloaded(null, p.jobId(), p.version(), p.step(), p.sha256()),
        "job " + p.jobId(),
        start,
        start);
  }

  /** A file to fetch: its name, its URL (null: {@code files/<name>} beside the manifest). */
  private record Listed(String name, String url, String sha256, long size) {}

  private Downloaded fetch(
      String manifestUrl,
      List<Listed> listed,
      String cacheName,
      Downloaded what,
      String owner,
      long start,
      long manifestRead)
      throws IOException, InterruptedException {
    String jobId = what.jobId();
    long version = what.version();
    Path target = cacheDir.resolve(cacheName).normalize();
    if (!target.startsWith(cacheDir)) {
      throw new IOException("cache name " + cacheName + " leaves the cache directory");
    }
    Files.createDirectories(target.getParent());
    Path part = target.resolveSibling(target.getFileName() + ".part-" + UUID.randomUUID());
    Files.createDirectories(part);
    int reused = 0;
    try {
      Map<Path, String> fetched = new LinkedHashMap<>();
      List<CompletableFuture<Void>> pending = new ArrayList<>();
      for (Listed f : listed) {
        String name = f.name();
        if (!SAFE_NAME.matcher(name).matches() || name.contains("..")) {
          throw new IOException("manifest " + manifestUrl + " names an unsafe file '" + name + "'");
        }
        String url =
            f.url() != null ? f.url() : URI.create(manifestUrl).resolve("files/" + name).toString();
        String fileSha = f.sha256();
        long size = f.size();
        Path file = part.resolve(name);
        if (reuse(fileSha, size, file)) {
          reused++;
          continue;
        }
        fetched.put(file, fileSha);
        pending.add(
            CompletableFuture.runAsync(
                () -> {
                  try {
                    downloadFile(url, file, fileSha, size);
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UncheckedIOException(
                        new java.io.InterruptedIOException("download of " + url + " interrupted"));
                  }
                },
                pool));
      }
      awaitAll(pending);
      log.debug(
          "Read manifest {} in {} ms (0: listed in the event) and fetched {} file(s) in {} ms.",
          manifestUrl,
          (manifestRead - start) / 1_000_000,
          fetched.size(),
          (System.nanoTime() - manifestRead) / 1_000_000);
      fetched.forEach(this::remember);
      deleteTree(target);
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      deleteTree(part);
    }
    pruneBlobs();
    log.info(
        "Downloaded {} (version {}, {} files, {} of them already held) from {} into {}.",
        owner,
        version,
        listed.size(),
        reused,
        manifestUrl,
        target);
    return new Downloaded(target, jobId, version, what.step(), what.sha256());
  }

  /** Waits for every download; the first failure is thrown once all have ended. */
  private static void awaitAll(List<CompletableFuture<Void>> pending)
      throws IOException, InterruptedException {
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get();
    } catch (ExecutionException e) {
      awaitQuietly(pending);
      Throwable cause = e.getCause();
      if (cause instanceof UncheckedIOException u) {
        if (u.getCause() instanceof java.io.InterruptedIOException) {
          throw new InterruptedException(u.getCause().getMessage());
        }
        throw u.getCause();
      }
      throw new IOException(cause);
    } catch (InterruptedException e) {
      pending.forEach(p -> p.cancel(true));
      throw e;
    }
  }

  private static void awaitQuietly(List<CompletableFuture<Void>> pending) {
    for (CompletableFuture<Void> p : pending) {
      try {
        p.join();
      } catch (RuntimeException e) {
        // reported through the first failure
      }
    }
  }

  /** Links a blob with this content into {@code file}; false when there is none to link. */
  private boolean reuse(String sha, long size, Path file) {
    if (!links || !SHA256.matcher(sha).matches()) {
      return false;
    }
    Path blob = blobs.resolve(sha);
    try {
      if (!Files.isRegularFile(blob) || (size >= 0 && Files.size(blob) != size)) {
        return false;
      }
      Files.createLink(file, blob);
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false; // pruned meanwhile, or no hard links here: download it
    }
  }

  /** Keeps a downloaded file's content as a blob for later versions (a hard link, no copy). */
  private void remember(Path file, String sha) {
    if (!links || !SHA256.matcher(sha).matches()) {
      return;
    }
    try {
      Files.createDirectories(blobs);
      Path blob = blobs.resolve(sha);
      if (!Files.exists(blob)) {
        Files.createLink(blob, file);
      }
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // another download kept the same content first
    } catch (IOException | UnsupportedOperationException e) {
      links = false;
      log.info(
          "The sampler cache {} does not take hard links ({}); every version's files are"
              + " downloaded in full.",
          cacheDir,
          e.toString());
    }
  }

  /** Deletes the blobs no downloaded folder links any more. */
  private void pruneBlobs() {
    if (!links || !Files.isDirectory(blobs)) {
      return;
    }
    try (Stream<Path> s = Files.list(blobs)) {
      for (Path blob : s.toList()) {
        if (((Number) Files.getAttribute(blob, "unix:nlink")).intValue() <= 1) {
          Files.deleteIfExists(blob);
        }
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      log.debug("Could not prune the sampler's blobs in {}: {}", blobs, e.toString());
    }
  }

  private void downloadFile(String url, Path file, String expectedSha, long expectedSize)
      throws IOException, InterruptedException {
    IOException last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        HttpResponse<InputStream> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(r.body(), digest)) {
          if (r.statusCode() != 200) {
            throw new IOException("GET " + url + " answered " + r.statusCode());
          }
          try (OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
          }
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(expectedSha)) {
          throw new IOException(
              "GET "
                  + url
                  + " gave bytes with sha256 "
                  + actual
                  + ", the manifest says "
                  + expectedSha);
        }
        if (expectedSize >= 0 && Files.size(file) != expectedSize) {
          throw new IOException(
              "GET "
                  + url
                  + " gave "
                  + Files.size(file)
                  + " bytes, the manifest says "
                  + expectedSize);
        }
        return;
      } catch (IOException e) {
        last = e;
        log.warn("Download attempt {} of {} failed: {}", attempt, attempts, e.getMessage());
        if (attempt < attempts) {
          Thread.sleep(200L << (attempt - 1));
        }
      }
    }
    throw last;
  }

  private String fetchText(String url) throws IOException, InterruptedException {
    IOException last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return r.body();
        }
        last = new IOException("GET " + url + " answered " + r.statusCode() + ": " + r.body());
        if (r.statusCode() == 404) {
          break;
        }
      } catch (IOException e) {
        last = e;
      }
      if (attempt < attempts) {
        Thread.sleep(200L << (attempt - 1));
      }
    }
    throw last;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
