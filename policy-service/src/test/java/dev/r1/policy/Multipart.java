package dev.r1.policy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** A multipart/form-data body for java.net.http, built by hand. */
final class Multipart {

  final String boundary = "r1-" + UUID.randomUUID();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final Map<String, String> fields = new LinkedHashMap<>();

  Multipart field(String name, String value) {
    write("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n");
    write(value + "\r\n");
    fields.put(name, value);
    return this;
  }

  Multipart file(String fileName, byte[] content) {
    write(
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\""
            + fileName
            + "\"\r\nContent-Type: application/octet-stream\r\n\r\n");
    out.writeBytes(content);
    write("\r\n");
    return this;
  }

  Multipart folder(Path dir, String... names) throws IOException {
    for (String n : names) {
      file(n, Files.readAllBytes(dir.resolve(n)));
    }
    return this;
  }

  byte[] body() {
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    copy.writeBytes(out.toByteArray());
    copy.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return copy.toByteArray();
  }

  String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  private void write(String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }
}
