package dev.r1.policy.web;

import dev.r1.policy.publish.PublishFailedException;
import dev.r1.policy.storage.InvalidNameException;
import dev.r1.policy.storage.NotFoundException;
import dev.r1.policy.storage.VersionConflictException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/** Renders the store's errors as RFC 9457 {@code application/problem+json}. */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

  @ExceptionHandler(InvalidNameException.class)
  ProblemDetail invalid(InvalidNameException e) {
    return problem(HttpStatus.BAD_REQUEST, "Invalid request", e.getMessage());
  }

  @ExceptionHandler(MultipartException.class)
  ProblemDetail multipart(MultipartException e) {
    return problem(HttpStatus.BAD_REQUEST, "Invalid upload", e.getMessage());
  }

  @ExceptionHandler(NotFoundException.class)
  ProblemDetail notFound(NotFoundException e) {
    return problem(HttpStatus.NOT_FOUND, "Not found", e.getMessage());
  }

  @ExceptionHandler(VersionConflictException.class)
  ProblemDetail conflict(VersionConflictException e) {
    return problem(HttpStatus.CONFLICT, "Version conflict", e.getMessage());
  }

  @ExceptionHandler(PublishFailedException.class)
  ProblemDetail unavailable(PublishFailedException e) {
    return problem(
        HttpStatus.SERVICE_UNAVAILABLE,
        "Stored but not published",
        e.getMessage() + "; the version is stored, register the next one or republish");
  }

  private static ProblemDetail problem(HttpStatus status, String title, String detail) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
    p.setTitle(title);
    return p;
  }
}
