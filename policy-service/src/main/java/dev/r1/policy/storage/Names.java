package dev.r1.policy.storage;

import java.util.regex.Pattern;

/** Validation of the names that become path segments in the store. */
public final class Names {

  private static final Pattern FILE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
  private static final Pattern JOB = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private Names() {}

  /**
   * Checks a file or model name: letters, digits, {@code . _ -}, not starting with a dot, no {@code
   * ..}, no separators, at most 128 characters.
   *
   * @throws InvalidNameException naming the field and value
   */
  public static String file(String field, String name) {
    if (name == null || !FILE.matcher(name).matches() || name.contains("..")) {
      throw new InvalidNameException(
          field
              + " '"
              + name
              + "' is not a plain file name (letters, digits, '.', '_', '-'; no '..', no '/',"
              + " not absolute, not hidden)");
    }
    return name;
  }

  /** Checks a job id: {@code [A-Za-z0-9._-]{1,128}} and not {@code .} or {@code ..}. */
  public static String job(String jobId) {
    if (jobId == null || !JOB.matcher(jobId).matches() || jobId.startsWith(".")) {
      throw new InvalidNameException(
          "jobId '" + jobId + "' must match [A-Za-z0-9._-]{1,128} and not start with '.'");
    }
    return jobId;
  }
}
