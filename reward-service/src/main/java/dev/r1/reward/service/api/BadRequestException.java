package dev.r1.reward.service.api;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A request the API refuses, rendered as RFC 9457 {@code application/problem+json} with the field
 * at fault in the {@code field} property.
 */
final class BadRequestException extends ErrorResponseException {

  private static final long serialVersionUID = 1L;

  static final URI INVALID = URI.create("https://r1.dev/problems/invalid-request");
  static final URI TOO_LARGE = URI.create("https://r1.dev/problems/request-too-large");

  private BadRequestException(HttpStatus status, ProblemDetail body) {
    super(status, body, null);
  }

  /** 400: {@code field} is missing or invalid; {@code detail} says how (and names the field). */
  static BadRequestException invalid(String field, String detail) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
    p.setType(INVALID);
    p.setTitle("Invalid reward request");
    p.setProperty("field", field);
    return new BadRequestException(HttpStatus.BAD_REQUEST, p);
  }

  /** 413: the request exceeds a limit. */
  static BadRequestException tooLarge(String field, String detail, long limit) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, detail);
    p.setType(TOO_LARGE);
    p.setTitle("Reward request too large");
    p.setProperty("field", field);
    p.setProperty("limit", limit);
    return new BadRequestException(HttpStatus.CONTENT_TOO_LARGE, p);
  }
}
