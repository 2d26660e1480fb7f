package dev.r1.gateway.jobs;

import java.util.Locale;

/** A job's status; on the wire in lower case ({@code validating}, {@code running}...). */
enum JobStatus {
  VALIDATING,
  QUEUED,
  RUNNING,
  PAUSED,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  boolean terminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  static JobStatus fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
