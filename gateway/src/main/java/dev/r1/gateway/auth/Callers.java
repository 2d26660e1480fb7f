package dev.r1.gateway.auth;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/** The authenticated caller of the current request. */
public final class Callers {

  private Callers() {}

  /** The owner the request's API key belongs to. */
  public static String owner() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth == null || !(auth.getPrincipal() instanceof String owner)) {
      throw new IllegalStateException("no authenticated caller on a /v1 route");
    }
    return owner;
  }
}
