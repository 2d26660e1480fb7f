package dev.r1.gateway.web;

import org.springframework.http.HttpStatus;

/**
 * A client error answered as {@code application/problem+json}: status, a detail sentence and, where
 * one is at fault, the request field ({@code hyperparameters.group_size}) or dataset line.
 */
public class ApiProblem extends RuntimeException {

  private final HttpStatus status;
  private final String field;
  private final Long line;

  private ApiProblem(HttpStatus status, String field, Long line, String detail) {
    super(detail);
    this.status = status;
    this.field = field;
    this.line = line;
  }

  /** 400 naming the field at fault; the detail starts with the field name. */
  public static ApiProblem badField(String field, String problem) {
    return new ApiProblem(HttpStatus.BAD_REQUEST, field, null, field + ": " + problem);
  }

  /** 400 naming the dataset line at fault (1-based); the detail starts with "line N: ". */
  public static ApiProblem badLine(long line, String field, String problem) {
    return new ApiProblem(HttpStatus.BAD_REQUEST, field, line, "line " + line + ": " + problem);
  }

  /** 400 about the request as a whole. */
  public static ApiProblem badRequest(String detail) {
    return new ApiProblem(HttpStatus.BAD_REQUEST, null, null, detail);
  }

  /** 404: the resource does not exist or belongs to another caller. */
  public static ApiProblem notFound(String detail) {
    return new ApiProblem(HttpStatus.NOT_FOUND, null, null, detail);
  }

  /** 409: the request conflicts with the resource's state. */
  public static ApiProblem conflict(String detail) {
    return new ApiProblem(HttpStatus.CONFLICT, null, null, detail);
  }

  /** 413: the upload is larger than allowed. */
  public static ApiProblem tooLarge(String detail) {
    return new ApiProblem(HttpStatus.PAYLOAD_TOO_LARGE, null, null, detail);
  }

  public HttpStatus status() {
    return status;
  }

  /** The request field at fault, or null. */
  public String field() {
    return field;
  }

  /** The 1-based dataset line at fault, or null. */
  public Long line() {
    return line;
  }
}
