package dev.r1.distill;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** SFT, rejection sampling, distillation and evaluation jobs */
@SpringBootApplication
public class DistillServiceApplication {

  public static void main(String[] args) {
    SpringApplication.run(DistillServiceApplication.class, args);
  }
}
