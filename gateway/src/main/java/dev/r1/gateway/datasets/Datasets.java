package dev.r1.gateway.datasets;

import dev.r1.gateway.GatewayProperties;
import dev.r1.gateway.web.ApiProblem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Dataset uploads: streamed, validated line by line into a temporary file, then moved into {@code
 * <data-dir>/datasets/<id>.jsonl} and registered. Nothing is stored when any line is bad or the
 * upload passes {@code r1.gateway.max-dataset-bytes} (checked against Content-Length first, then
 * counted while streaming).
 */
@Service
public class Datasets {

  private static final Logger log = LoggerFactory.getLogger(Datasets.class);
  private static final Pattern FILENAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final JdbcClient jdbc;
  private final GatewayProperties properties;

  Datasets(JdbcClient jdbc, GatewayProperties properties) {
    this.jdbc = jdbc;
    this.properties = properties;
  }

  /**
   * Validates and stores an upload.
   *
   * @param declaredLength the Content-Length, or -1 when unknown (chunked)
   */
  Dataset upload(String owner, String filename, InputStream in, long declaredLength) {
    long max = properties.maxDatasetBytes().toBytes();
    if (declaredLength > max) {
      throw tooLarge(declaredLength, max);
    }
    String name = filename == null || filename.isBlank() ? "dataset.jsonl" : filename;
    if (!FILENAME.matcher(name).matches() || name.contains("..")) {
      throw ApiProblem.badField(
          "filename", "must match " + FILENAME.pattern() + " but was '" + abbreviate(name) + "'");
    }
    Path dir = properties.dataDir().resolve("datasets");
    Path temp;
    try {
      Files.createDirectories(dir);
      temp = dir.resolve(".upload-" + UUID.randomUUID() + ".tmp");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the dataset directory " + dir, e);
    }
    boolean stored = false;
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      long bytes;
      int records;
      try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), sha)) {
        long[] counts = copyValidating(in, out, max);
        bytes = counts[0];
        records = (int) counts[1];
      }
      if (records == 0) {
        throw ApiProblem.badRequest("the dataset has no records (no non-blank lines)");
      }
      String id = "ds-" + hex(12);
      Path target = dir.resolve(id + ".jsonl");
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
      Dataset ds =
          new Dataset(
              id,
              owner,
              name,
              bytes,
              records,
              HexFormat.of().formatHex(sha.digest()),
              target.toAbsolutePath(),
              now);
      try {
        insert(ds);
      } catch (RuntimeException e) {
        Files.deleteIfExists(target);
        throw e;
      }
      stored = true;
      log.info(
          "Stored dataset {} for owner '{}': {} records, {} bytes.", id, owner, records, bytes);
      return ds;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the dataset upload", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } finally {
      if (!stored) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          log.warn("Could not delete the rejected upload {}: {}", temp, e.getMessage());
        }
      }
    }
  }

  /** Copies lines to {@code out}, validating each; returns {bytes, records}. */
  private static long[] copyValidating(InputStream in, OutputStream out, long max)
      throws IOException {
    byte[] buf = new byte[64 * 1024];
    ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
    long total = 0;
    long lineNo = 0;
    long records = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      total += n;
      if (total > max) {
        throw tooLarge(total, max);
      }
      int start = 0;
      for (int i = 0; i < n; i++) {
        if (buf[i] == '\n') {
          line.write(buf, start, i - start);
          lineNo++;
          if (checkLine(lineNo, line)) {
            records++;
          }
          line.reset();
          start = i + 1;
        }
      }
      line.write(buf, start, n - start);
      out.write(buf, 0, n);
    }
    if (line.size() > 0) {
      lineNo++;
      if (checkLine(lineNo, line)) {
        records++;
      }
    }
    return new long[] {total, records};
  }

  private static boolean checkLine(long lineNo, ByteArrayOutputStream line) {
    byte[] bytes = line.toByteArray();
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    return LineValidator.validate(lineNo, bytes, length);
  }

  private static ApiProblem tooLarge(long size, long max) {
    return ApiProblem.tooLarge(
        "the dataset is larger than the limit of "
            + max
            + " bytes (r1.gateway.max-dataset-bytes); got "
            + size
            + (size > max ? "+" : "")
            + " bytes");
  }

  private void insert(Dataset ds) {
    jdbc.sql(
            "INSERT INTO datasets (id, owner, filename, bytes, records, sha256, path, created_at)"
                + " VALUES (:id, :owner, :filename, :bytes, :records, :sha256, :path, :at)")
        .param("id", ds.id())
        .param("owner", ds.owner())
        .param("filename", ds.filename())
        .param("bytes", ds.bytes())
        .param("records", ds.records())
        .param("sha256", ds.sha256())
        .param("path", ds.path().toString())
        .param("at", OffsetDateTime.ofInstant(ds.createdAt(), ZoneOffset.UTC))
        .update();
  }

  /** The caller's dataset, if it exists and is theirs. */
  public Optional<Dataset> find(String owner, String id) {
    if (properties.builtinDatasets().contains(id)) {
      return Optional.of(new Dataset(id, owner, id, 0, 0, "", null, Instant.EPOCH));
    }
    return jdbc.sql("SELECT * FROM datasets WHERE id = ? AND owner = ?")
        .params(id, owner)
        .query(Datasets::row)
        .optional();
  }

  /** A page of the caller's datasets, newest first, after the dataset {@code after}. */
  List<Dataset> list(String owner, String after, int limit) {
    long before = Long.MAX_VALUE;
    if (after != null) {
      before =
          jdbc.sql("SELECT seq FROM datasets WHERE id = ? AND owner = ?")
              .params(after, owner)
              .query(Long.class)
              .optional()
              .orElseThrow(() -> ApiProblem.badField("after", "no dataset '" + after + "'"));
    }
    return jdbc.sql(
            "SELECT * FROM datasets WHERE owner = ? AND seq < ? ORDER BY seq DESC"
                + " FETCH FIRST ? ROWS ONLY")
        .params(owner, before, limit)
        .query(Datasets::row)
        .list();
  }

  private static Dataset row(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
    return new Dataset(
        rs.getString("id"),
        rs.getString("owner"),
        rs.getString("filename"),
        rs.getLong("bytes"),
        rs.getInt("records"),
        rs.getString("sha256"),
        Path.of(rs.getString("path")),
        rs.getObject("created_at", OffsetDateTime.class).toInstant());
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
