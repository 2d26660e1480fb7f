package dev.r1.gateway.web;

/** Validation of the {@code limit} query parameter shared by the list routes. */
public final class Paging {

  /** The default page size. */
  public static final int DEFAULT_LIMIT = 20;

  /** The largest page size. */
  public static final int MAX_LIMIT = 100;

  private Paging() {}

  /** The limit, checked to lie in [1, {@value #MAX_LIMIT}]. */
  public static int limit(Integer limit) {
    if (limit == null) {
      return DEFAULT_LIMIT;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ApiProblem.badField(
          "limit", "must be between 1 and " + MAX_LIMIT + " but was " + limit);
    }
    return limit;
  }
}
