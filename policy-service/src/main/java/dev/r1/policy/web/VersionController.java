package dev.r1.policy.web;

import dev.r1.policy.PolicyProperties;
import dev.r1.policy.publish.PolicyPublisher;
import dev.r1.policy.storage.InvalidNameException;
import dev.r1.policy.storage.Manifest;
import dev.r1.policy.storage.Names;
import dev.r1.policy.storage.PolicyStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;

/** A job's policy versions: register (upload or local path), list, manifests and files. */
@RestController
@RequestMapping("/v1/jobs/{jobId}/versions")
class VersionController {

  private static final Logger log = LoggerFactory.getLogger(VersionController.class);

  private final PolicyStore store;
  private final PolicyPublisher publisher;
  private final PolicyProperties properties;
  private final Links links;

  VersionController(
      PolicyStore store, PolicyPublisher publisher, PolicyProperties properties, Links links) {
    this.store = store;
    this.publisher = publisher;
    this.properties = properties;
    this.links = links;
  }

  /**
   * Registers a version from a multipart upload: one part per file of the Hugging Face folder (the
   * part's file name is the stored name), optional form fields {@code version} (default latest +
   * 1), {@code step} (default 0) and {@code checkpoint} (default false: whether the trainer
   * checkpointed this version, which retention then keeps until a newer checkpoint version
   * arrives).
   */
  @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  ResponseEntity<Manifest> upload(
      @PathVariable String jobId,
      @RequestParam(required = false) Long version,
      @RequestParam(defaultValue = "0") long step,
      @RequestParam(defaultValue = "false") boolean checkpoint,
      MultipartHttpServletRequest request) {
    Names.job(jobId);
    log.debug("Received an upload for job {} (version {}).", jobId, version);
    List<MultipartFile> files =
        request.getMultiFileMap().values().stream().flatMap(List::stream).toList();
    if (files.isEmpty()) {
      throw new InvalidNameException("the upload has no file parts");
    }
    Set<String> seen = new HashSet<>();
    for (MultipartFile f : files) {
      String name = f.getOriginalFilename() != null ? f.getOriginalFilename() : f.getName();
      Names.file("file name", name);
      if (!seen.add(name)) {
        throw new InvalidNameException("file '" + name + "' is uploaded twice");
      }
    }
    Path staging = store.newStaging();
    try {
      for (MultipartFile f : files) {
        String name = f.getOriginalFilename() != null ? f.getOriginalFilename() : f.getName();
        f.transferTo(staging.resolve(name));
      }
    } catch (IOException | RuntimeException e) {
      store.discard(staging);
      throw new UncheckedIOException(
          "cannot receive the upload for job " + jobId,
          e instanceof IOException io ? io : new IOException(e));
    }
    return registered(store.storeVersion(jobId, version, step, checkpoint, staging));
  }

  /**
   * A version registered from a directory on this host: {@code {"path": "/abs/dir", "version": 3,
   * "step": 120, "checkpoint": false}}. Only when {@code r1.policy.allow-local-path} is on.
   */
  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<Manifest> fromLocalPath(
      @PathVariable String jobId, @RequestBody LocalPathRequest body) {
    Names.job(jobId);
    if (!properties.allowLocalPath()) {
      throw new InvalidNameException(
          "registering from a local path is disabled (r1.policy.allow-local-path=false); upload"
              + " the files as multipart/form-data");
    }
    if (body.path() == null || !Path.of(body.path()).isAbsolute()) {
      throw new InvalidNameException("path must be an absolute directory but was " + body.path());
    }
    Path source = Path.of(body.path()).normalize();
    if (!Files.isDirectory(source)) {
      throw new InvalidNameException("path " + source + " is not a directory");
    }
    Path staging = store.newStaging();
    try (Stream<Path> s = Files.list(source)) {
      for (Path p : s.toList()) {
        if (Files.isRegularFile(p)) {
          Files.copy(p, staging.resolve(Names.file("file name", p.getFileName().toString())));
        }
      }
    } catch (IOException | RuntimeException e) {
      store.discard(staging);
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new UncheckedIOException("cannot copy " + source, (IOException) e);
    }
    return registered(
        store.storeVersion(
            jobId,
            body.version(),
            body.step() == null ? 0 : body.step(),
            Boolean.TRUE.equals(body.checkpoint()),
            staging));
  }

  /** The body of a local-path registration. */
  record LocalPathRequest(String path, Long version, Long step, Boolean checkpoint) {}

  private ResponseEntity<Manifest> registered(Manifest stored) {
    String manifestUrl = links.versionManifest(stored.jobId(), stored.version());
    log.info(
        "Stored policy version {} of job {} (step {}, {} files, {} bytes).",
        stored.version(),
        stored.jobId(),
        stored.step(),
        stored.files().size(),
        stored.totalBytes());
    publisher.publish(stored, manifestUrl);
    // after the announcement: samplers wait for the new version, not for the old ones' deletion
    store.prune(stored.jobId());
    return ResponseEntity.created(URI.create(manifestUrl)).body(links.withUrls(stored));
  }

  @GetMapping
  List<Manifest> versions(@PathVariable String jobId) {
    return store.versions(jobId).stream().map(links::withUrls).toList();
  }

  @GetMapping("/latest")
  Manifest latest(@PathVariable String jobId) {
    return links.withUrls(store.latest(jobId));
  }

  @GetMapping({"/{version}", "/{version}/manifest"})
  Manifest manifest(@PathVariable String jobId, @PathVariable long version) {
    return links.withUrls(store.version(jobId, version));
  }

  @GetMapping("/{version}/files/{file}")
  ResponseEntity<Resource> file(
      @PathVariable String jobId,
      @PathVariable long version,
      @PathVariable String file,
      WebRequest request) {
    Path path = store.versionFile(jobId, version, file);
    return FileResponses.stream(path, store.version(jobId, version).file(file), request);
  }
}
