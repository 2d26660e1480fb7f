package dev.r1.reward;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The reward-service: consumes sampled groups, scores every completion with the job's rule rewards
 * (each call bounded in time) and publishes scored groups; also scores ad-hoc completions over REST
 * ({@code POST /v1/rewards/score}).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RewardServiceApplication {

  public static void main(String[] args) {
    SpringApplication.run(RewardServiceApplication.class, args);
  }
}
