package dev.r1.reward.service.scoring;

import dev.r1.reward.RewardRegistry;
import dev.r1.reward.service.RewardServiceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The reward registry (the built-in rule rewards) and the runner cache. */
@Configuration(proxyBeanMethods = false)
class ScoringConfig {

  @Bean
  RewardRegistry rewardRegistry() {
    return RewardRegistry.builtins();
  }

  @Bean(destroyMethod = "close")
  RunnerCache runnerCache(RewardRegistry registry, RewardServiceProperties props) {
    return new RunnerCache(
        registry, props.threads(), props.defaultTimeout().toMillis(), props.maxCachedSpecs());
  }
}
