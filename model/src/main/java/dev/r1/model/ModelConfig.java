package dev.r1.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The architecture of a decoder-only language model, read from a Hugging Face {@code config.json}.
 *
 * <p>Supported {@code model_type}s: {@code llama} (including llama3 {@code rope_scaling}), {@code
 * qwen2} (bias on q/k/v projections) and {@code qwen3} (RMSNorm on q and k per head, an explicit
 * {@code head_dim} that may differ from hidden/heads).
 *
 * @param modelType llama, qwen2 or qwen3
 * @param vocabSize number of token embeddings
 * @param hiddenSize width of the residual stream (H)
 * @param intermediateSize width of the SwiGLU MLP (I)
 * @param numLayers number of decoder layers (L)
 * @param numHeads query heads (nH)
 * @param numKvHeads key/value heads (nKV, grouped-query attention when below nH)
 * @param headDim width of one head (hd)
 * @param rmsNormEps epsilon of every RMSNorm
 * @param ropeTheta RoPE base frequency
 * @param ropeScaling llama3-style RoPE frequency scaling, or null
 * @param tieWordEmbeddings whether the LM head reuses the token embedding matrix
 * @param attentionBias bias on q/k/v projections (qwen2 always; llama when attention_bias)
 * @param qkNorm RMSNorm on queries and keys per head (qwen3)
 * @param maxPositionEmbeddings the context length the model was trained for
 * @param bosTokenId beginning-of-sequence id, or -1
 * @param eosTokenIds end-of-sequence ids (may be several), possibly empty
 * @param torchDtype the dtype the checkpoint was saved in (informational; we compute in fp32/fp64)
 */
public record ModelConfig(
    String modelType,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    boolean tieWordEmbeddings,
    boolean attentionBias,
    boolean qkNorm,
    int maxPositionEmbeddings,
    int bosTokenId,
    List<Integer> eosTokenIds,
    String torchDtype) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Llama 3 RoPE scaling ({@code rope_type: llama3}).
   *
   * @param factor how much longer the extended context is
   * @param lowFreqFactor wavelengths above original/lowFreqFactor are scaled fully
   * @param highFreqFactor wavelengths below original/highFreqFactor are kept
   * @param originalMaxPositionEmbeddings the pre-extension context length
   */
  public record RopeScaling(
      double factor,
      double lowFreqFactor,
      double highFreqFactor,
      int originalMaxPositionEmbeddings) {}

  public ModelConfig {
    String where = "config.json";
    if (!List.of("llama", "qwen2", "qwen3").contains(modelType)) {
      throw new ModelFormatException(
          where
              + ": model_type '"
              + modelType
              + "' is not supported (supported: llama, qwen2, qwen3)");
    }
    positive(where, "vocab_size", vocabSize);
    positive(where, "hidden_size", hiddenSize);
    positive(where, "intermediate_size", intermediateSize);
    positive(where, "num_hidden_layers", numLayers);
    positive(where, "num_attention_heads", numHeads);
    positive(where, "num_key_value_heads", numKvHeads);
    positive(where, "head_dim", headDim);
    if (numHeads % numKvHeads != 0) {
      throw new ModelFormatException(
          where
              + ": num_attention_heads ("
              + numHeads
              + ") must be a multiple of num_key_value_heads ("
              + numKvHeads
              + ")");
    }
    if (headDim % 2 != 0) {
      throw new ModelFormatException(
          where + ": head_dim (" + headDim + ") must be even for rotary embeddings");
    }
    if (!(rmsNormEps > 0)) {
      throw new ModelFormatException(where + ": rms_norm_eps must be positive, got " + rmsNormEps);
    }
    if (!(ropeTheta > 0)) {
      throw new ModelFormatException(where + ": rope_theta must be positive, got " + ropeTheta);
    }
    eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
    torchDtype = torchDtype == null ? "float32" : torchDtype;
  }

  private static int nonNegative(String where, String field, int value) {
    if (value < 0) {
      throw new ModelFormatException(where + ": " + field + " must not be negative, got " + value);
    }
    return value;
  }

  private static void positive(String where, String field, int value) {
    if (value <= 0) {
      throw new ModelFormatException(where + ": " + field + " must be positive, got " + value);
    }
  }

  /** Whether o_proj has a bias: llama and qwen3 with attention_bias (qwen2 never). */
  public boolean outputBias() {
    return attentionBias && !modelType.equals("qwen2");
  }

  /** The number of query heads sharing one key/value head. */
  public int groupSize() {
    return numHeads / numKvHeads;
  }

  /** Reads {@code config.json} from a model folder (or the file itself). */
  public static ModelConfig read(Path folderOrFile) {
    Path file =
        Files.isDirectory(folderOrFile) ? folderOrFile.resolve("config.json") : folderOrFile;
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException(file + ": config.json not found");
    }
    try {
      return fromJson(JSON.readTree(file.toFile()), file.toString());
    } catch (IOException e) {
      throw new ModelFormatException(file + ": not valid JSON: " + e.getMessage(), e);
    }
  }

  /** Parses a Hugging Face config; {@code where} names the source in error messages. */
  public static ModelConfig fromJson(JsonNode json, String where) {
    if (json == null || !json.isObject()) {
      throw new ModelFormatException(where + ": expected a JSON object");
    }
    String type = text(json, "model_type", where, null);
    if (type == null) {
      throw new ModelFormatException(where + ": model_type is missing");
    }
    type = type.toLowerCase(Locale.ROOT);
    if (!List.of("llama", "qwen2", "qwen3").contains(type)) {
      throw new ModelFormatException(
          where + ": model_type '" + type + "' is not supported (supported: llama, qwen2, qwen3)");
    }
    int hidden = integer(json, "hidden_size", where, null);
    int heads = integer(json, "num_attention_heads", where, null);
    int kvHeads = integer(json, "num_key_value_heads", where, heads);
    Integer defaultHeadDim = heads > 0 && hidden % heads == 0 ? hidden / heads : null;
    int headDim =
        json.hasNonNull("head_dim")
            ? integer(json, "head_dim", where, null)
            : integer(json, "head_dim", where, defaultHeadDim);
    // qwen2 always has q/k/v bias; llama and qwen3 follow attention_bias (q/k/v and o_proj).
    boolean bias = type.equals("qwen2") || bool(json, "attention_bias", where, false);
    RopeScaling scaling = null;
    JsonNode rs = json.get("rope_scaling");
    if (rs != null && !rs.isNull()) {
      if (!rs.isObject()) {
        throw new ModelFormatException(
            where + ": rope_scaling must be an object or null, got " + rs);
      }
      String ropeType = text(rs, "rope_type", where + " rope_scaling", null);
      if (ropeType == null) {
        ropeType = text(rs, "type", where + " rope_scaling", "default");
      }
      if (ropeType.equals("llama3")) {
        scaling =
            new RopeScaling(
                number(rs, "factor", where + " rope_scaling", null),
                number(rs, "low_freq_factor", where + " rope_scaling", 1.0),
                number(rs, "high_freq_factor", where + " rope_scaling", 4.0),
                integer(rs, "original_max_position_embeddings", where + " rope_scaling", 8192));
      } else if (!ropeType.equals("default")) {
        throw new ModelFormatException(
            where + ": rope_scaling.rope_type '" + ropeType + "' is not supported (llama3 only)");
      }
    }
    List<Integer> eos = new ArrayList<>();
    JsonNode eosNode = json.get("eos_token_id");
    if (eosNode != null && eosNode.isArray()) {
      for (JsonNode n : eosNode) {
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
          throw new ModelFormatException(
              where + ": eos_token_id entries must be non-negative integers, got " + n);
        }
        eos.add(n.asInt());
      }
    } else if (eosNode != null && !eosNode.isNull()) {
      eos.add(nonNegative(where, "eos_token_id", integer(json, "eos_token_id", where, null)));
    }
    return new ModelConfig(
        type,
        integer(json, "vocab_size", where, null),
        hidden,
        integer(json, "intermediate_size", where, null),
        integer(json, "num_hidden_layers", where, null),
        heads,
        kvHeads,
        headDim,
        number(json, "rms_norm_eps", where, 1e-6),
        number(json, "rope_theta", where, 10000.0),
        scaling,
        bool(json, "tie_word_embeddings", where, false),
        bias,
        type.equals("qwen3"),
        integer(json, "max_position_embeddings", where, 2048),
        json.hasNonNull("bos_token_id")
            ? nonNegative(where, "bos_token_id", integer(json, "bos_token_id", where, null))
            : -1,
        eos,
        text(json, "torch_dtype", where, "float32"));
  }

  /** The Hugging Face {@code config.json} for this architecture (loadable by transformers). */
  public ObjectNode toJson() {
    ObjectNode n = JSON.createObjectNode();
    String arch =
        switch (modelType) {
          case "llama" -> "LlamaForCausalLM";
          case "qwen2" -> "Qwen2ForCausalLM";
          default -> "Qwen3ForCausalLM";
        };
    n.putArray("architectures").add(arch);
    n.put("model_type", modelType);
    n.put("vocab_size", vocabSize);
    n.put("hidden_size", hiddenSize);
    n.put("intermediate_size", intermediateSize);
    n.put("num_hidden_layers", numLayers);
    n.put("num_attention_heads", numHeads);
    n.put("num_key_value_heads", numKvHeads);
    n.put("head_dim", headDim);
    n.put("hidden_act", "silu");
    n.put("rms_norm_eps", rmsNormEps);
    n.put("rope_theta", ropeTheta);
    if (ropeScaling != null) {
      ObjectNode rs = n.putObject("rope_scaling");
      rs.put("rope_type", "llama3");
      rs.put("factor", ropeScaling.factor());
      rs.put("low_freq_factor", ropeScaling.lowFreqFactor());
      rs.put("high_freq_factor", ropeScaling.highFreqFactor());
      rs.put("original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
    } else {
      n.putNull("rope_scaling");
    }
    n.put("tie_word_embeddings", tieWordEmbeddings);
    n.put("attention_bias", attentionBias);
    n.put("attention_dropout", 0.0);
    n.put("max_position_embeddings", maxPositionEmbeddings);
    if (bosTokenId >= 0) {
      n.put("bos_token_id", bosTokenId);
    }
    if (eosTokenIds.size() == 1) {
      n.put("eos_token_id", eosTokenIds.get(0));
    } else if (!eosTokenIds.isEmpty()) {
      ArrayNode a = n.putArray("eos_token_id");
      eosTokenIds.forEach(a::add);
    }
    n.put("torch_dtype", torchDtype);
    n.put("use_cache", true);
    return n;
  }

  /** Writes {@code config.json} into a model folder. */
  public void write(Path folder) throws IOException {
    Files.createDirectories(folder);
    JSON.writerWithDefaultPrettyPrinter()
        .writeValue(folder.resolve("config.json").toFile(), toJson());
  }

  /** Total number of parameters (tied heads counted once). */
  public long parameterCount() {
    long h = hiddenSize;
    long attn =
        h * numHeads * headDim * 2L
            + h * numKvHeads * headDim * 2L
            + (attentionBias ? (long) (numHeads + 2 * numKvHeads) * headDim : 0)
            + (outputBias() ? h : 0)
            + (qkNorm ? 2L * headDim : 0);
    long mlp = 3L * h * intermediateSize;
    long perLayer = attn + mlp + 2 * h;
    long embed = (long) vocabSize * h;
    return embed + numLayers * perLayer + h + (tieWordEmbeddings ? 0 : embed);
  }

  private static String text(JsonNode json, String field, String where, String dflt) {
    JsonNode v = json.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isTextual()) {
      throw new ModelFormatException(where + ": " + field + " must be a string, got " + v);
    }
    return v.asText();
  }

  private static int integer(JsonNode json, String field, String where, Integer dflt) {
    JsonNode v = json.get(field);
    if (v == null || v.isNull()) {
      if (dflt == null) {
        throw new ModelFormatException(where + ": " + field + " is missing");
      }
      return dflt;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new ModelFormatException(where + ": " + field + " must be an integer, got " + v);
    }
    return v.asInt();
  }

  private static double number(JsonNode json, String field, String where, Double dflt) {
    JsonNode v = json.get(field);
    if (v == null || v.isNull()) {
      if (dflt == null) {
        throw new ModelFormatException(where + ": " + field + " is missing");
      }
      return dflt;
    }
    if (!v.isNumber()) {
      throw new ModelFormatException(where + ": " + field + " must be a number, got " + v);
    }
    return v.asDouble();
  }

  private static boolean bool(JsonNode json, String field, String where, boolean dflt) {
    JsonNode v = json.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw new ModelFormatException(where + ": " + field + " must be true or false, got " + v);
    }
    return v.asBoolean();
  }
}
