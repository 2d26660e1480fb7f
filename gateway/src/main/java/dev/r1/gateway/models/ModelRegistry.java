package dev.r1.gateway.models;

import dev.r1.gateway.GatewayProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.springframework.stereotype.Service;

/**
 * The models a job may name: the built-in ones ({@code r1.gateway.builtin-models}) and every
 * sub-directory of {@code r1.gateway.models-dir} holding a {@code config.json}. Names are registry
 * names, never paths: {@code ..}, absolute paths, back-slashes and anything outside {@code
 * [A-Za-z0-9._-]} (plus one {@code /} for {@code org/name}) are rejected.
 */
@Service
public class ModelRegistry {

  private static final Pattern NAME =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9][A-Za-z0-9._-]{0,127})?");

  private final GatewayProperties properties;

  ModelRegistry(GatewayProperties properties) {
    this.properties = properties;
  }

  /** A model the registry lists. */
  public record Model(String id, String source, long created) {}

  /** Every model, built-in first, then the model directory's in name order. */
  public List<Model> list() {
    List<Model> models = new ArrayList<>();
    for (String name : properties.builtinModels()) {
      models.add(new Model(name, "builtin", 0L));
    }
    Path dir = properties.modelsDir();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> children = Files.list(dir)) {
        children
            .filter(p -> Files.isRegularFile(p.resolve("config.json")))
            .sorted()
            .forEach(
                p -> {
                  String name = p.getFileName().toString();
                  if (NAME.matcher(name).matches()
                      && properties.builtinModels().stream().noneMatch(name::equals)) {
                    models.add(new Model(name, "directory", modified(p)));
                  }
                });
      } catch (IOException e) {
        throw new IllegalStateException("cannot list the models directory " + dir, e);
      }
    }
    return models;
  }

  /**
   * Why {@code name} cannot be used as a model, or empty when it names a registered model.
   *
   * @param name the requested model name
   */
  public Optional<String> problem(String name) {
    if (name.isBlank()) {
      return Optional.of("must not be blank");
    }
    if (name.contains("..")
        || name.startsWith("/")
        || name.contains("\\")
        || name.contains(":")
        || name.startsWith("~")) {
      return Optional.of(
          "must be a model name from GET /v1/models, not a path (got '" + abbreviate(name) + "')");
    }
    if (!NAME.matcher(name).matches()) {
      return Optional.of(
          "must match "
              + NAME.pattern()
              + " (a model name, not a path) but was '"
              + abbreviate(name)
              + "'");
    }
    if (list().stream().noneMatch(m -> m.id().equals(name))) {
      return Optional.of("unknown model '" + name + "'; GET /v1/models lists the available ones");
    }
    return Optional.empty();
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis() / 1000;
    } catch (IOException e) {
      return 0L;
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
