package dev.r1.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The repository the checks read: its root, the project version and the services' settings. */
final class Repo {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Repo() {}

  /** The reactor root (-Dr1.root, set by the pom; else the parent of this module's folder). */
  static Path root() {
    String root = System.getProperty("r1.root");
    Path p = root != null ? Path.of(root) : Path.of("..");
    if (!Files.isDirectory(p.resolve("k8s")) && Files.isDirectory(Path.of("..", "k8s"))) {
      p = Path.of("..");
    }
    return p.toAbsolutePath().normalize();
  }

  static String version() {
    return System.getProperty("r1.version", "0.1.0-SNAPSHOT");
  }

  /** The first document of a service's src/main/resources/application.yml. */
  static JsonNode applicationYml(String service) {
    Path p = root().resolve(service).resolve("src/main/resources/application.yml");
    try {
      return YAML.readTree(Files.readString(p).split("(?m)^---\\s*$")[0]);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    }
  }

  /** A setting of a service's application.yml by dotted path; fails naming the file and key. */
  static String setting(String service, String dottedKey) {
    JsonNode n = applicationYml(service);
    for (String part : dottedKey.split("\\.")) {
      n = n.path(part);
    }
    if (n.isMissingNode() || n.isNull()) {
      throw new AssertionError(service + "/src/main/resources/application.yml has no " + dottedKey);
    }
    return n.asText();
  }
}
