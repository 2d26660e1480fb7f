package dev.r1.gateway.models;

import dev.r1.gateway.GatewayProperties;

/** Opens {@link ModelRegistry} (package-private constructor) to tests in other packages. */
public final class TestModels {

  private TestModels() {}

  public static ModelRegistry create(GatewayProperties properties) {
    return new ModelRegistry(properties);
  }
}
