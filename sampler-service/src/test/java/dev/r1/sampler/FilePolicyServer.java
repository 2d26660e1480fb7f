package dev.r1.sampler;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A real HTTP server speaking the policy-service's download protocol ({@code
 * /v1/jobs/<job>/versions/<v>/manifest} and {@code .../files/<name>}) over folders on disk.
 */
final class FilePolicyServer implements AutoCloseable {

  private final HttpServer server;
  private final Map<String, Path> folders = new ConcurrentHashMap<>();
  private final ObjectMapper json = new ObjectMapper();

  FilePolicyServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v1/jobs/",
        exchange -> {
          String[] parts = exchange.getRequestURI().getPath().split("/");
          // /v1/jobs/<job>/versions/<v>/manifest | /files/<name>
          byte[] body;
          int status = 200;
          Path dir = parts.length >= 7 ? folders.get(parts[3] + "/" + parts[5]) : null;
          try {
            if (dir == null) {
              status = 404;
              body = "not found".getBytes();
            } else if (parts.length == 7 && parts[6].equals("manifest")) {
              body = manifest(parts[3], Long.parseLong(parts[5]), dir);
            } else if (parts.length == 8 && parts[6].equals("files")) {
              body = Files.readAllBytes(dir.resolve(parts[7]));
            } else {
              status = 404;
              body = "not found".getBytes();
            }
          } catch (Exception e) {
            status = 500;
            body = e.toString().getBytes();
          }
          exchange.sendResponseHeaders(status, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  void serve(String job, long version, Path dir) {
    folders.put(job + "/" + version, dir);
  }

  String manifestUrl(String job, long version) {
    return base() + "/v1/jobs/" + job + "/versions/" + version + "/manifest";
  }

  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private byte[] manifest(String job, long version, Path dir) throws Exception {
    ObjectNode m = json.createObjectNode();
    m.put("jobId", job);
    m.put("version", version);
    m.put("step", version * 10);
    m.put("sha256", sha256(dir.resolve("model.safetensors")));
    ArrayNode files = m.putArray("files");
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        ObjectNode f = files.addObject();
        String name = p.getFileName().toString();
        f.put("name", name);
        f.put("sizeBytes", Files.size(p));
        f.put("sha256", sha256(p));
        f.put("url", base() + "/v1/jobs/" + job + "/versions/" + version + "/files/" + name);
      }
    }
    return json.writeValueAsBytes(m);
  }

  static String sha256(Path p) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
