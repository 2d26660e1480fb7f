package dev.r1.gateway.datasets;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.r1.gateway.auth.Callers;
import dev.r1.gateway.web.ApiProblem;
import dev.r1.gateway.web.ListPage;
import dev.r1.gateway.web.Paging;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;

@RestController
@RequestMapping("/v1/datasets")
@Tag(
    name = "datasets",
    description =
        "JSONL datasets: one JSON object per line with a 'prompt' (or 'question') string and an"
            + " 'answer' (or 'solution') string; other fields are kept")
@SecurityRequirement(name = "apiKey")
class DatasetController {

  private final Datasets datasets;

  DatasetController(Datasets datasets) {
    this.datasets = datasets;
  }

  /** A dataset object. */
  @Schema(name = "Dataset")
  record DatasetView(
      String id,
      String object,
      String filename,
      long bytes,
      int records,
      String sha256,
      @JsonProperty("created_at") long createdAt) {
    static DatasetView of(Dataset d) {
      return new DatasetView(
          d.id(),
          "dataset",
          d.filename(),
          d.bytes(),
          d.records(),
          d.sha256(),
          d.createdAt().getEpochSecond());
    }
  }

  /** The multipart form of an upload (documentation only). */
  @Schema(name = "DatasetUpload")
  record DatasetUpload(
      @Schema(type = "string", format = "binary", description = "the JSONL file") String file) {}

  @PostMapping(
      consumes = {
        "application/x-ndjson",
        "application/jsonl",
        "application/octet-stream",
        MediaType.MULTIPART_FORM_DATA_VALUE
      })
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(
      summary = "Upload a JSONL dataset (raw body or the multipart part 'file')",
      description =
          "Every line is validated; a bad line is answered 400 naming the line, an upload over"
              + " r1.gateway.max-dataset-bytes 413; nothing is stored on error.",
      requestBody =
          @io.swagger.v3.oas.annotations.parameters.RequestBody(
              required = true,
              content = {
                @Content(
                    mediaType = "application/x-ndjson",
                    schema = @Schema(type = "string", format = "binary")),
                @Content(
                    mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
                    schema = @Schema(implementation = DatasetUpload.class))
              }))
  DatasetView upload(@RequestParam(required = false) String filename, HttpServletRequest request)
      throws IOException {
    String owner = Callers.owner();
    if (request instanceof MultipartHttpServletRequest multipart) {
      MultipartFile file = multipart.getFile("file");
      if (file == null) {
        throw ApiProblem.badField("file", "the multipart upload has no part named 'file'");
      }
      String name = filename != null ? filename : file.getOriginalFilename();
      try (InputStream in = file.getInputStream()) {
        return DatasetView.of(datasets.upload(owner, name, in, file.getSize()));
      }
    }
    try (InputStream in = request.getInputStream()) {
      return DatasetView.of(datasets.upload(owner, filename, in, request.getContentLengthLong()));
    }
  }

  @GetMapping
  @Operation(summary = "List the caller's datasets, newest first")
  ListPage<DatasetView> list(
      @RequestParam(required = false) String after, @RequestParam(required = false) Integer limit) {
    int n = Paging.limit(limit);
    List<Dataset> page = datasets.list(Callers.owner(), after, n + 1);
    return ListPage.of(page.stream().limit(n).map(DatasetView::of).toList(), page.size() > n);
  }

  @GetMapping("/{id}")
  @Operation(summary = "Get one of the caller's datasets")
  DatasetView get(@PathVariable String id) {
    return datasets
        .find(Callers.owner(), id)
        .map(DatasetView::of)
        .orElseThrow(() -> ApiProblem.notFound("no dataset '" + id + "'"));
  }
}
