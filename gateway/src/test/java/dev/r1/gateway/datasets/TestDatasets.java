package dev.r1.gateway.datasets;

import dev.r1.gateway.GatewayProperties;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Opens {@link Datasets} (package-private) to tests in other packages. */
public final class TestDatasets {

  private TestDatasets() {}

  public static Datasets create(JdbcClient jdbc, GatewayProperties properties) {
    return new Datasets(jdbc, properties);
  }

  /** Uploads {@code jsonl} for {@code owner} through the real validation and storage path. */
  public static Dataset upload(Datasets datasets, String owner, String jsonl) {
    byte[] b = jsonl.getBytes(StandardCharsets.UTF_8);
    return datasets.upload(owner, "prop.jsonl", new ByteArrayInputStream(b), b.length);
  }

  /** The line validator, for property tests. */
  public static boolean validateLine(long line, byte[] bytes) {
    return LineValidator.validate(line, bytes, bytes.length);
  }
}
