package dev.r1.sampler;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** generates G completions per prompt with the current policy */
@SpringBootApplication
public class SamplerServiceApplication {

  public static void main(String[] args) {
    SpringApplication.run(SamplerServiceApplication.class, args);
  }
}
