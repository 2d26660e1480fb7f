package dev.r1.policy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Registry of base models and of each job's policy versions, served over HTTP. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PolicyServiceApplication {

  public static void main(String[] args) {
    System.setProperty("OPT_OUT_TRACKING", "true");
    SpringApplication.run(PolicyServiceApplication.class, args);
  }
}
