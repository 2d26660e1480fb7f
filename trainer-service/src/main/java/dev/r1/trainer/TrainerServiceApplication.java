package dev.r1.trainer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Drives GRPO jobs: prompts, batches, advantages, the update, checkpoints, published weights. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TrainerServiceApplication {

  public static void main(String[] args) {
    SpringApplication.run(TrainerServiceApplication.class, args);
  }
}
