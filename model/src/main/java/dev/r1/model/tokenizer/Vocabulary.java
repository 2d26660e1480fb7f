package dev.r1.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** The id/token tables of a {@code tokenizer.json}: the model vocabulary plus added tokens. */
final class Vocabulary {

  private final Map<String, Integer> ids;
  private final String[] tokens;
  private final BitSet special;
  private final Set<String> specialTokens;
  private final Map<String, Integer> addedTokens;

  private Vocabulary(
      Map<String, Integer> ids,
      String[] tokens,
      BitSet special,
      Set<String> specialTokens,
      Map<String, Integer> addedTokens) {
    this.addedTokens = addedTokens;
    this.ids = ids;
    this.tokens = tokens;
    this.special = special;
    this.specialTokens = specialTokens;
  }

  static Vocabulary read(JsonNode root, Path file) {
    Map<String, Integer> ids = new HashMap<>();
    JsonNode model = root.path("model");
    JsonNode vocab = model.path("vocab");
    if (vocab.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
          throw new TokenizerException(
              file + ": model.vocab[\"" + e.getKey() + "\"] is not a non-negative id");
        }
        ids.put(e.getKey(), e.getValue().asInt());
      }
    } else if (vocab.isArray()) {
      // Unigram: [[token, score], ...], the id is the position.
      for (int i = 0; i < vocab.size(); i++) {
        JsonNode entry = vocab.get(i);
        String token = entry.isArray() ? entry.path(0).asText() : entry.asText();
        ids.put(token, i);
      }
    } else {
      throw new TokenizerException(
          file + ": model.vocab is missing (model type " + model.path("type").asText("?") + ")");
    }
    BitSet special = new BitSet();
    Set<String> specialTokens = new LinkedHashSet<>();
    Map<String, Integer> addedTokens = new LinkedHashMap<>();
    JsonNode added = root.path("added_tokens");
    for (int i = 0; i < added.size(); i++) {
      JsonNode t = added.get(i);
      if (!t.path("id").canConvertToInt() || !t.path("content").isTextual()) {
        throw new TokenizerException(file + ": added_tokens[" + i + "] lacks an id or content");
      }
      int id = t.get("id").asInt();
      String content = t.get("content").asText();
      ids.put(content, id);
      addedTokens.put(content, id);
      if (t.path("special").asBoolean(false)) {
        special.set(id);
        specialTokens.add(content);
      }
    }
    int size = 0;
    for (int id : ids.values()) {
      size = Math.max(size, id + 1);
    }
    String[] tokens = new String[size];
    for (Map.Entry<String, Integer> e : ids.entrySet()) {
      tokens[e.getValue()] = e.getKey();
    }
    return new Vocabulary(
        Map.copyOf(ids),
        tokens,
        special,
        Collections.unmodifiableSet(specialTokens),
        Collections.unmodifiableMap(addedTokens));
  }

  /** Added tokens as declared in tokenizer.json: content to id. */
  Map<String, Integer> addedTokens() {
    return addedTokens;
  }

  int size() {
    return tokens.length;
  }

  Integer id(String token) {
    return ids.get(token);
  }

  String token(int id) {
    return id >= 0 && id < tokens.length ? tokens[id] : null;
  }

  boolean isSpecial(int id) {
    return id >= 0 && special.get(id);
  }

  Set<String> specialTokens() {
    return specialTokens;
  }
}
