package dev.r1.policy.web;

import dev.r1.policy.storage.ManifestFile;
import java.nio.file.Path;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.context.request.WebRequest;

/** Streams a stored file with its SHA-256 as ETag and {@code X-Checksum-Sha256}. */
final class FileResponses {

  static final String CHECKSUM_HEADER = "X-Checksum-Sha256";

  private FileResponses() {}

  static ResponseEntity<Resource> stream(Path file, ManifestFile entry, WebRequest request) {
    String etag = "\"" + entry.sha256() + "\"";
    if (request.checkNotModified(etag)) {
      return ResponseEntity.status(HttpStatus.NOT_MODIFIED)
          .eTag(etag)
          .header(CHECKSUM_HEADER, entry.sha256())
          .build();
    }
    MediaType type =
        entry.name().endsWith(".json")
            ? MediaType.APPLICATION_JSON
            : MediaType.APPLICATION_OCTET_STREAM;
    return ResponseEntity.ok()
        .eTag(etag)
        .header(CHECKSUM_HEADER, entry.sha256())
        .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + entry.name() + "\"")
        .contentType(type)
        .contentLength(entry.sizeBytes())
        .body(new FileSystemResource(file));
  }
}
