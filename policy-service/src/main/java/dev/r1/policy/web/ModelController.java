package dev.r1.policy.web;

import dev.r1.policy.storage.Manifest;
import dev.r1.policy.storage.PolicyStore;
import java.util.List;
import org.springframework.core.io.Resource;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;

/** The base models: {@code GET /v1/models}, their manifests and files. */
@RestController
@RequestMapping("/v1/models")
class ModelController {

  private final PolicyStore store;
  private final Links links;

  ModelController(PolicyStore store, Links links) {
    this.store = store;
    this.links = links;
  }

  @GetMapping
  List<Manifest> models() {
    return store.models().stream().map(links::withUrls).toList();
  }

  @GetMapping({"/{name}", "/{name}/manifest"})
  Manifest manifest(@PathVariable String name) {
    return links.withUrls(store.model(name));
  }

  @GetMapping("/{name}/files/{file}")
  ResponseEntity<Resource> file(
      @PathVariable String name, @PathVariable String file, WebRequest request) {
    var path = store.modelFile(name, file);
    return FileResponses.stream(path, store.model(name).file(file), request);
  }
}
