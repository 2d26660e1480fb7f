package dev.r1.contracts;

/** Severity of a {@link JobEvent}. */
public enum EventLevel {
  DEBUG,
  INFO,
  WARN,
  ERROR
}
