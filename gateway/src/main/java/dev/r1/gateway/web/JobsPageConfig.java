package dev.r1.gateway.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The jobs page: static files under {@code /ui/} (job list, live reward/accuracy/length charts,
 * events) that call the {@code /v1} API with the key the user enters; {@code /} leads there.
 */
@Configuration
class JobsPageConfig implements WebMvcConfigurer {

  @Override
  public void addViewControllers(ViewControllerRegistry registry) {
    registry.addRedirectViewController("/", "/ui/index.html");
    registry.addRedirectViewController("/ui", "/ui/index.html");
    registry.addRedirectViewController("/ui/", "/ui/index.html");
  }
}
