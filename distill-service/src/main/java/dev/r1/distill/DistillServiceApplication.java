package dev.r1.distill;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * SFT, rejection sampling (through the sampler and reward fleet), distillation, evaluation and the
 * R1 pipeline job that chains them with GRPO stages run by the trainer-service.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class DistillServiceApplication {

  public static void main(String[] args) {
    SpringApplication.run(DistillServiceApplication.class, args);
  }
}
