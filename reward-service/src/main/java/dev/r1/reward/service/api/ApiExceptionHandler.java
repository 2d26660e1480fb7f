package dev.r1.reward.service.api;

import dev.r1.reward.service.scoring.InvalidRewardSpecException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Renders every API error as RFC 9457 {@code application/problem+json}: Spring MVC's own (malformed
 * JSON, wrong media type, ...) through {@link ResponseEntityExceptionHandler}, the API's {@link
 * BadRequestException}s as they are, and invalid reward specs as 400 naming the spec field.
 */
@RestControllerAdvice(assignableTypes = RewardController.class)
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

  @ExceptionHandler(InvalidRewardSpecException.class)
  ProblemDetail invalidSpec(InvalidRewardSpecException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    p.setType(BadRequestException.INVALID);
    p.setTitle("Invalid reward spec");
    p.setProperty("field", e.field());
    return p;
  }
}
