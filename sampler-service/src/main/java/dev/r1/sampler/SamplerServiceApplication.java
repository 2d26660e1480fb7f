package dev.r1.sampler;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Generates G completions per prompt with the current (or requested) policy version. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SamplerServiceApplication {

  public static void main(String[] args) {
    System.setProperty("OPT_OUT_TRACKING", "true");
    SpringApplication.run(SamplerServiceApplication.class, args);
  }
}
