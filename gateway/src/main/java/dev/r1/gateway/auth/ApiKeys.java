package dev.r1.gateway.auth;

import dev.r1.gateway.GatewayProperties;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * API keys: {@code r1-} followed by 43 url-safe base64 characters (256 random bits). Only the
 * SHA-256 hex of a key is stored, with the owner it authenticates.
 */
@Service
public class ApiKeys {

  /** Every key starts with this. */
  public static final String PREFIX = "r1-";

  private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int CACHE_LIMIT = 10_000;

  private final JdbcClient jdbc;
  private final GatewayProperties properties;
  private final ConcurrentHashMap<String, String> ownerByHash = new ConcurrentHashMap<>();

  ApiKeys(JdbcClient jdbc, GatewayProperties properties) {
    this.jdbc = jdbc;
    this.properties = properties;
  }

  /** Creates a key for {@code owner} and returns it; the caller must keep it (it is not stored). */
  public String create(String owner, String name) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    register(key, owner, name);
    return key;
  }

  /** The owner a presented key authenticates, if it is a known key. */
  public Optional<String> owner(String presentedKey) {
    if (presentedKey == null || !presentedKey.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String hash = sha256(presentedKey);
    String cached = ownerByHash.get(hash);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<String> owner =
        jdbc.sql("SELECT owner FROM api_keys WHERE key_hash = ?")
            .param(hash)
            .query(String.class)
            .optional();
    if (owner.isPresent() && ownerByHash.size() < CACHE_LIMIT) {
      ownerByHash.put(hash, owner.get());
    }
    return owner;
  }

  /** SHA-256 of the key's UTF-8 bytes as lower-case hex. */
  static String sha256(String key) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  @EventListener(ApplicationReadyEvent.class)
  void registerBootstrapKey() {
    String key = properties.bootstrapApiKey();
    if (key == null || key.isBlank()) {
      return;
    }
    if (!key.startsWith(PREFIX) || key.length() < PREFIX.length() + 16) {
      throw new IllegalStateException(
          "r1.gateway.bootstrap-api-key must start with '"
              + PREFIX
              + "' and have at least 16 more characters");
    }
    if (owner(key).isEmpty()) {
      register(key, properties.bootstrapOwner(), "bootstrap");
      log.info(
          "Registered the bootstrap API key (hashed) for owner '{}'.", properties.bootstrapOwner());
    }
  }

  private void register(String key, String owner, String name) {
    jdbc.sql(
            "INSERT INTO api_keys (key_hash, owner, name, created_at) VALUES (:hash, :owner, :name,"
                + " :at)")
        .param("hash", sha256(key))
        .param("owner", owner)
        .param("name", name)
        .param("at", OffsetDateTime.ofInstant(Instant.now(), ZoneOffset.UTC))
        .update();
  }
}
