package dev.r1.model;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared fixtures: system property {@code r1.fixtures}, default ../shared/fixtures. */
final class Fixtures {

  private Fixtures() {}

  static Path root() {
    Path p = Path.of(System.getProperty("r1.fixtures", "../shared/fixtures"));
    if (!Files.isDirectory(p)) {
      p = Path.of("..").resolve(p);
    }
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException(
          "fixtures not found at "
              + p.toAbsolutePath()
              + "; set -Dr1.fixtures to the fixtures folder");
    }
    return p;
  }

  static Path models() {
    return root().resolve("models");
  }
}
