package dev.r1.model.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

final class Fixtures {
  private Fixtures() {}

  static Path root() {
    Path p = Path.of(System.getProperty("r1.fixtures", "../shared/fixtures"));
    if (!Files.isDirectory(p)) {
      p = Path.of("..").resolve(p);
    }
    return p.toAbsolutePath().normalize();
  }

  static Path qwen3() {
    return root().resolve("tokenizers/qwen3");
  }
}
