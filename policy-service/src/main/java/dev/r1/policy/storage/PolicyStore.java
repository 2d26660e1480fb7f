package dev.r1.policy.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.r1.model.ModelConfig;
import dev.r1.model.safetensors.TensorStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory store of base models ({@code models/<name>/}) and policy versions ({@code
 * jobs/<jobId>/v<version>/}), each a Hugging Face folder with a manifest beside it ({@code
 * <folder>.manifest.json}). A folder becomes visible only once its manifest is written, after the
 * folder was validated, hashed and moved into place, so readers never see a partial upload.
 *
 * <p>Retention: with {@code retainVersions > 0}, registering a version deletes the job's versions
 * older than its {@code retainVersions} newest, except the newest version marked as a checkpoint
 * (manifest first, so a reader sees a version either whole or not at all). Nothing is cached in
 * memory: manifests are read from disk and files are streamed from it.
 */
public final class PolicyStore {

  private static final Pattern VERSION_DIR = Pattern.compile("v(\\d{1,18})\\.manifest\\.json");
  private static final String MANIFEST_SUFFIX = ".manifest.json";

  private static final Logger log = LoggerFactory.getLogger(PolicyStore.class);

  private final Path root;
  private final int retainVersions;
  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final ConcurrentHashMap<String, Object> jobLocks = new ConcurrentHashMap<>();

  /** A store rooted at {@code root} (created when absent) that keeps every version. */
  public PolicyStore(Path root) {
    this(root, 0);
  }

  /**
   * A store rooted at {@code root} (created when absent) that keeps each job's {@code
   * retainVersions} newest versions (0: all) and its newest checkpoint version.
   */
  public PolicyStore(Path root, int retainVersions) {
    if (retainVersions < 0) {
      throw new IllegalArgumentException("retainVersions must be >= 0 but was " + retainVersions);
    }
    this.retainVersions = retainVersions;
    this.root = root.toAbsolutePath().normalize();
    try {
      Files.createDirectories(this.root.resolve("models"));
      Files.createDirectories(this.root.resolve("jobs"));
      Files.createDirectories(this.root.resolve(".staging"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the policy store at " + this.root, e);
    }
  }

  /** The store's root directory. */
  public Path root() {
    return root;
  }

  /** A fresh empty directory to receive an upload; pass it to {@link #registerVersion}. */
  public Path newStaging() {
    try {
      return Files.createDirectory(root.resolve(".staging").resolve(UUID.randomUUID().toString()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a staging directory under " + root, e);
    }
  }

  /** Deletes a staging directory (after a failed upload). */
  public void discard(Path staging) {
    deleteTree(staging);
  }

  // ---- base models ----

  /** Whether a base model of that name is stored. */
  public boolean hasModel(String name) {
    Names.file("model", name);
    return Files.isRegularFile(modelManifestPath(name));
  }

  /**
   * Stores a base model from a filled staging directory.
   *
   * @throws InvalidNameException if the folder is not a valid checkpoint
   * @throws VersionConflictException if a model of that name exists
   */
  public Manifest storeModel(String name, Path staging) {
    Names.file("model", name);
    synchronized (lock("model:" + name)) {
      if (hasModel(name)) {
        discard(staging);
        throw new VersionConflictException("base model '" + name + "' already exists");
      }
      return commit(staging, root.resolve("models").resolve(name), null, name, 0, 0, false);
    }
  }

  /** The stored base models, by name. */
  public List<Manifest> models() {
    return listManifests(root.resolve("models"), Pattern.compile("(.+)\\.manifest\\.json")).stream()
        .sorted(Comparator.comparing(Manifest::model))
        .toList();
  }

  /** A base model's manifest. */
  public Manifest model(String name) {
    Names.file("model", name);
    return read(modelManifestPath(name), "base model '" + name + "'");
  }

  /** A file of a base model (after checking it is listed in the manifest). */
  public Path modelFile(String name, String file) {
    Manifest m = model(name);
    Names.file("file", file);
    if (m.file(file) == null) {
      throw new NotFoundException("base model '" + name + "' has no file '" + file + "'");
    }
    return root.resolve("models").resolve(name).resolve(file);
  }

  /** The folder of a base model. */
  public Path modelDir(String name) {
    model(name);
    return root.resolve("models").resolve(name);
  }

  // ---- policy versions ----

  /** As {@link #registerVersion(String, Long, long, boolean, Path)}, not marked a checkpoint. */
  public Manifest registerVersion(String jobId, Long version, long step, Path staging) {
    return registerVersion(jobId, version, step, false, staging);
  }

  /**
   * Stores a policy version from a filled staging directory (which is consumed either way), then
   * prunes the job's versions beyond the retention.
   *
   * @param version the version to register, or null for the job's latest + 1 (1 for the first)
   * @param checkpoint whether the trainer checkpointed this version (retention keeps the newest)
   * @throws InvalidNameException if the folder is not a valid checkpoint
   * @throws VersionConflictException if the version is not newer than the job's latest
   */
  public Manifest registerVersion(
      String jobId, Long version, long step, boolean checkpoint, Path staging) {
    Manifest stored = storeVersion(jobId, version, step, checkpoint, staging);
    prune(jobId);
    return stored;
  }

  /**
   * As {@link #registerVersion(String, Long, long, boolean, Path)} without pruning: a caller that
   * announces the version first (samplers wait for it) prunes afterwards with {@link #prune}.
   */
  public Manifest storeVersion(
      String jobId, Long version, long step, boolean checkpoint, Path staging) {
    Names.job(jobId);
    if (step < 0 || (version != null && version < 0)) {
      discard(staging);
      throw new InvalidNameException(
          "version and step must be >= 0 but were " + version + " and " + step);
    }
    synchronized (lock("job:" + jobId)) {
      long latest = latestVersionNumber(jobId);
      long v = version != null ? version : latest + 1;
      if (v <= latest) {
        discard(staging);
        throw new VersionConflictException(
            "job "
                + jobId
                + " already has version "
                + latest
                + "; a new version must be greater (got "
                + v
                + ")");
      }
      Path dir = root.resolve("jobs").resolve(jobId).resolve("v" + v);
      return commit(staging, dir, jobId, null, v, step, checkpoint);
    }
  }

  /**
   * Deletes the job's versions beyond the retention: all but the {@code retainVersions} newest and
   * the newest one marked as a checkpoint. Returns the deleted version numbers, oldest first.
   */
  public List<Long> prune(String jobId) {
    Names.job(jobId);
    if (retainVersions == 0) {
      return List.of();
    }
    synchronized (lock("job:" + jobId)) {
      List<Long> numbers = versionNumbers(jobId);
      if (numbers.size() <= retainVersions) {
        return List.of();
      }
      Long checkpoint = null;
      for (int i = numbers.size() - 1; i >= 0 && checkpoint == null; i--) {
        Manifest m = readIfPresent(jobId, numbers.get(i));
        if (m != null && m.checkpoint()) {
          checkpoint = m.version();
        }
      }
      List<Long> kept = numbers.subList(numbers.size() - retainVersions, numbers.size());
      List<Long> pruned = new ArrayList<>();
      for (long v : numbers.subList(0, numbers.size() - retainVersions)) {
        if (checkpoint != null && v == checkpoint) {
          continue;
        }
        Path dir = root.resolve("jobs").resolve(jobId).resolve("v" + v);
        try {
          Manifest m = readIfPresent(jobId, v);
          Files.deleteIfExists(dir.resolveSibling("v" + v + MANIFEST_SUFFIX));
          deleteTree(dir);
          pruned.add(v);
          log.info(
              "Pruned policy version {} of job {} (step {}): the job keeps its {} newest versions"
                  + " ({} to {}){}.",
              v,
              jobId,
              m == null ? "?" : m.step(),
              retainVersions,
              kept.get(0),
              kept.get(kept.size() - 1),
              checkpoint == null || kept.contains(checkpoint)
                  ? ""
                  : " and its checkpoint version " + checkpoint);
        } catch (IOException | UncheckedIOException e) {
          log.warn(
              "Could not prune policy version {} of job {} at {}: {}; it is retried at the"
                  + " job's next version.",
              v,
              jobId,
              dir,
              e.toString());
        }
      }
      return pruned;
    }
  }

  /** {@link #prune} for every stored job (at startup, for stores written before retention). */
  public void pruneAll() {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(root.resolve("jobs"))) {
      for (Path job : s) {
        if (Files.isDirectory(job)) {
          prune(job.getFileName().toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the jobs under " + root, e);
    }
  }

  /** The job's versions, oldest first (empty for an unknown job). */
  public List<Manifest> versions(String jobId) {
    Names.job(jobId);
    return listManifests(root.resolve("jobs").resolve(jobId), VERSION_DIR).stream()
        .sorted(Comparator.comparingLong(Manifest::version))
        .toList();
  }

  /** One version's manifest. */
  public Manifest version(String jobId, long version) {
    Names.job(jobId);
    return read(
        root.resolve("jobs").resolve(jobId).resolve("v" + version + MANIFEST_SUFFIX),
        "version " + version + " of job " + jobId);
  }

  /** The newest version's manifest. */
  public Manifest latest(String jobId) {
    Names.job(jobId);
    List<Long> all = versionNumbers(jobId);
    if (all.isEmpty()) {
      throw new NotFoundException("job " + jobId + " has no policy versions");
    }
    return version(jobId, all.get(all.size() - 1));
  }

  /** A file of a version (after checking it is listed in the manifest). */
  public Path versionFile(String jobId, long version, String file) {
    Manifest m = version(jobId, version);
    Names.file("file", file);
    if (m.file(file) == null) {
      throw new NotFoundException(
          "version " + version + " of job " + jobId + " has no file '" + file + "'");
    }
    return root.resolve("jobs").resolve(jobId).resolve("v" + version).resolve(file);
  }

  // ---- internals ----

  private long latestVersionNumber(String jobId) {
    List<Long> all = versionNumbers(jobId);
    return all.isEmpty() ? 0 : all.get(all.size() - 1);
  }

  /** The job's version numbers from the manifests' file names (none parsed), ascending. */
  private List<Long> versionNumbers(String jobId) {
    Path dir = root.resolve("jobs").resolve(jobId);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Long> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + MANIFEST_SUFFIX)) {
      for (Path p : s) {
        Matcher m = VERSION_DIR.matcher(p.getFileName().toString());
        if (m.matches()) {
          out.add(Long.parseLong(m.group(1)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    out.sort(null);
    return out;
  }

  private Manifest readIfPresent(String jobId, long version) {
    try {
      return version(jobId, version);
    } catch (NotFoundException e) {
      return null;
    }
  }

  private Manifest commit(
      Path staging,
      Path target,
      String jobId,
      String model,
      long version,
      long step,
      boolean checkpoint) {
    try {
      ModelConfig config = HfFolder.validate(staging);
      List<ManifestFile> files = new ArrayList<>();
      long total = 0;
      try (Stream<Path> s = Files.list(staging)) {
        for (Path p : s.sorted().toList()) {
          if (!Files.isRegularFile(p)) {
            throw new InvalidNameException("'" + p.getFileName() + "' is not a regular file");
          }
          String name = Names.file("file", p.getFileName().toString());
          long size = Files.size(p);
          files.add(new ManifestFile(name, size, sha256(p), null));
          total += size;
        }
      }
      String weights =
          Files.isRegularFile(staging.resolve(TensorStore.SINGLE_FILE))
              ? TensorStore.SINGLE_FILE
              : TensorStore.INDEX_FILE;
      String weightsSha =
          files.stream().filter(f -> f.name().equals(weights)).findFirst().orElseThrow().sha256();
      Manifest manifest =
          new Manifest(
              jobId,
              model,
              version,
              step,
              config.modelType(),
              weightsSha,
              total,
              Instant.now().toString(),
              files,
              checkpoint);
      Files.createDirectories(target.getParent());
      if (Files.exists(target)) {
        deleteTree(target); // a leftover of a crash between move and manifest
      }
      move(staging, target);
      Path manifestPath = target.resolveSibling(target.getFileName() + MANIFEST_SUFFIX);
      Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID());
      json.writeValue(tmp.toFile(), manifest);
      move(tmp, manifestPath);
      return manifest;
    } catch (IOException e) {
      discard(staging);
      throw new UncheckedIOException("cannot store " + target, e);
    } catch (RuntimeException e) {
      discard(staging);
      throw e;
    }
  }

  private List<Manifest> listManifests(Path dir, Pattern names) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Manifest> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + MANIFEST_SUFFIX)) {
      for (Path p : s) {
        Matcher m = names.matcher(p.getFileName().toString());
        if (m.matches()) {
          out.add(read(p, p.toString()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return out;
  }

  private Manifest read(Path manifestPath, String what) {
    if (!Files.isRegularFile(manifestPath)) {
      throw new NotFoundException(what + " is not stored");
    }
    try {
      return json.readValue(manifestPath.toFile(), Manifest.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the manifest " + manifestPath, e);
    }
  }

  private Path modelManifestPath(String name) {
    return root.resolve("models").resolve(name + MANIFEST_SUFFIX);
  }

  private Object lock(String key) {
    return jobLocks.computeIfAbsent(key, k -> new Object());
  }

  /** Lower-case hex SHA-256 of a file. */
  public static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  private static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
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
