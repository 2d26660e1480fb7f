package dev.r1.service.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 401 ({@code application/problem+json}) for an actuator endpoint that is not open when the
 * request lacks the configured bearer token. Everything outside {@code /actuator} passes.
 */
final class ActuatorGuard extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(ActuatorGuard.class);

  private final ActuatorSecurityProperties properties;
  private final byte[] expected;

  ActuatorGuard(ActuatorSecurityProperties properties) {
    this.properties = properties;
    this.expected = ("Bearer " + properties.token()).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = path(request);
    if (!path.equals("/actuator") && !path.startsWith("/actuator/")) {
      return true;
    }
    String rest = path.length() <= "/actuator/".length() ? "" : path.substring(10);
    String id = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
    return !id.isEmpty() && properties.open().contains(id);
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getHeader("Authorization");
    if (!properties.token().isEmpty()
        && header != null
        && MessageDigest.isEqual(expected, header.strip().getBytes(StandardCharsets.UTF_8))) {
      chain.doFilter(request, response);
      return;
    }
    log.debug("Refused {} {} without the actuator token.", request.getMethod(), path(request));
    response.setStatus(401);
    response.setHeader("WWW-Authenticate", "Bearer");
    response.setContentType("application/problem+json");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response
        .getWriter()
        .write(
            "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                + "\"detail\":\"actuator endpoints other than "
                + String.join(", ", properties.open())
                + " need 'Authorization: Bearer <r1.security.actuator.token>'\"}");
  }

  private static String path(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    String p = context != null && uri.startsWith(context) ? uri.substring(context.length()) : uri;
    // collapse duplicate slashes and refuse dot segments so /actuator/./env cannot slip through
    p = p.replaceAll("/{2,}", "/");
    return p.contains("/.") || p.contains(";") ? "/actuator/" : p;
  }
}
