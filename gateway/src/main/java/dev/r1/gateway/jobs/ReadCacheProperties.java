package dev.r1.gateway.jobs;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The job read cache's settings ({@code r1.gateway.read-cache.*}).
 *
 * @param maxAge how old a cached job (and its events) may get before a read checks the database
 *     again; changes this replica applies are seen at once, changes another replica applies within
 *     this
 * @param maxJobs how many jobs are kept; past it the least recently read quarter is dropped
 * @param maxEvents how many of a job's latest events are kept; older pages are read from the
 *     database
 */
@ConfigurationProperties("r1.gateway.read-cache")
record ReadCacheProperties(
    @DefaultValue("1s") Duration maxAge,
    @DefaultValue("10000") int maxJobs,
    @DefaultValue("2000") int maxEvents) {

  ReadCacheProperties {
    if (maxAge.isNegative() || maxJobs < 1 || maxEvents < 1) {
      throw new IllegalArgumentException(
          "r1.gateway.read-cache: max-age must not be negative, max-jobs and max-events must be"
              + " positive");
    }
  }
}
