package dev.r1.reward.service.api;

import dev.r1.contracts.Json;
import dev.r1.reward.service.RewardServiceProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses API request bodies over {@code r1.reward.api.max-request-size} with 413 and a problem
 * body, before any of it is parsed: by the declared length, or, for chunked bodies, by reading at
 * most one byte past the limit.
 */
@Component
class RequestSizeFilter extends OncePerRequestFilter {

  private final long max;

  RequestSizeFilter(RewardServiceProperties props) {
    this.max = props.api().maxRequestSize().toBytes();
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !request.getRequestURI().startsWith("/v1/");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long declared = request.getContentLengthLong();
    if (declared > max) {
      tooLarge(request, response, "the request body has " + declared + " bytes");
      return;
    }
    if (declared >= 0) {
      chain.doFilter(request, response);
      return;
    }
    // unknown length (chunked): buffer up to the limit
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (InputStream in = request.getInputStream()) {
      byte[] chunk = new byte[8192];
      int n;
      while ((n = in.read(chunk)) >= 0) {
        buf.write(chunk, 0, n);
        if (buf.size() > max) {
          tooLarge(request, response, "the request body has more than " + max + " bytes");
          return;
        }
      }
    }
    chain.doFilter(new CachedBody(request, buf.toByteArray()), response);
  }

  private void tooLarge(HttpServletRequest request, HttpServletResponse response, String what)
      throws IOException {
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("type", BadRequestException.TOO_LARGE.toString());
    problem.put("title", "Reward request too large");
    problem.put("status", HttpStatus.CONTENT_TOO_LARGE.value());
    problem.put("detail", what + "; at most " + max + " bytes are accepted");
    problem.put("instance", request.getRequestURI());
    problem.put("field", "$");
    problem.put("limit", max);
    response.setStatus(HttpStatus.CONTENT_TOO_LARGE.value());
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    response.getOutputStream().write(Json.mapper().writeValueAsBytes(problem));
  }

  /** A request whose body was read already. */
  private static final class CachedBody extends HttpServletRequestWrapper {
    private final byte[] body;

    CachedBody(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("synchronous reads only");
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
    }
  }
}
