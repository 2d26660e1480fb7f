package dev.r1.gateway.auth;

import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;

/**
 * Stateless API-key security: {@code /actuator/health}, the OpenAPI document, Swagger UI and the
 * jobs page's static files ({@code /ui/}, which call the API with the user's key) are open; every
 * other route (all of {@code /v1}, the other actuator endpoints) needs a key.
 */
@Configuration
class SecurityConfig {

  @Bean
  SecurityFilterChain apiSecurity(HttpSecurity http, ApiKeys keys) throws Exception {
    http.csrf(c -> c.disable())
        .httpBasic(b -> b.disable())
        .formLogin(f -> f.disable())
        .logout(l -> l.disable())
        .requestCache(r -> r.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .authorizeHttpRequests(
            a ->
                a.requestMatchers(
                        "/actuator/health",
                        "/actuator/health/**",
                        "/v3/api-docs",
                        "/v3/api-docs/**",
                        "/swagger-ui.html",
                        "/swagger-ui/**",
                        "/",
                        "/ui",
                        "/ui/**",
                        "/error")
                    .permitAll()
                    .anyRequest()
                    .authenticated())
        .exceptionHandling(
            e ->
                e.authenticationEntryPoint(
                        (request, response, ex) ->
                            problem(
                                response,
                                401,
                                "Unauthorized",
                                "send an API key as 'Authorization: Bearer r1-...'"))
                    .accessDeniedHandler(
                        (request, response, ex) ->
                            problem(response, 403, "Forbidden", "this key may not do that")))
        .addFilterBefore(new ApiKeyFilter(keys), AuthorizationFilter.class);
    return http.build();
  }

  private static void problem(HttpServletResponse response, int status, String title, String detail)
      throws java.io.IOException {
    response.setStatus(status);
    if (status == 401) {
      response.setHeader("WWW-Authenticate", "Bearer");
    }
    response.setContentType("application/problem+json");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response
        .getWriter()
        .write(
            "{\"type\":\"about:blank\",\"title\":\""
                + title
                + "\",\"status\":"
                + status
                + ",\"detail\":\""
                + detail
                + "\"}");
  }
}
