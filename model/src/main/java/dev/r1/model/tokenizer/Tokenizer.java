package dev.r1.model.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A Hugging Face tokenizer loaded from a checkpoint folder ({@code tokenizer.json}, plus {@code
 * tokenizer_config.json}, {@code generation_config.json} and {@code config.json} when present),
 * backed by DJL's native {@link HuggingFaceTokenizer}.
 *
 * <p>Encoding never truncates or pads (DJL would otherwise cut every text to 512 tokens) and, by
 * default, adds no BOS/EOS of its own: chat prompts come from the chat template, which writes every
 * special token itself. Special tokens written in the text (such as {@code <|im_start|>}) are
 * encoded as their single ids.
 *
 * <p>Encoding and decoding are safe to call from several threads; {@link #close()} frees the native
 * tokenizer and must not race with them.
 */
public final class Tokenizer implements AutoCloseable {

  private final Path dir;
  private final HuggingFaceTokenizer native_;
  private final Vocabulary vocab;
  private final CheckpointConfigs configs;
  private final ChatTemplate chatTemplate;

  private Tokenizer(
      Path dir,
      HuggingFaceTokenizer tokenizer,
      Vocabulary vocab,
      CheckpointConfigs configs,
      ChatTemplate chatTemplate) {
    this.dir = dir;
    this.native_ = tokenizer;
    this.vocab = vocab;
    this.configs = configs;
    this.chatTemplate = chatTemplate;
  }

  /**
   * Loads the tokenizer of a checkpoint folder.
   *
   * @param modelDir the folder holding {@code tokenizer.json} (or that file itself)
   * @throws TokenizerException when {@code tokenizer.json} is missing or any config is malformed;
   *     the message names the file
   */
  public static Tokenizer load(Path modelDir) {
    Path dir = Files.isRegularFile(modelDir) ? modelDir.toAbsolutePath().getParent() : modelDir;
    Path file =
        Files.isRegularFile(modelDir) ? modelDir : dir.resolve(CheckpointConfigs.TOKENIZER_JSON);
    JsonNode root = CheckpointConfigs.readRequired(file);
    Vocabulary vocab = Vocabulary.read(root, file);
    CheckpointConfigs configs = new CheckpointConfigs(dir);
    String template = configs.chatTemplate();
    ChatTemplate chatTemplate = null;
    if (template != null) {
      Map<String, String> specials = new HashMap<>();
      for (String field : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
        specials.put(field, configs.tokenString(field));
      }
      chatTemplate = ChatTemplate.fromJinja(template, specials);
    }
    Map<String, String> options = new HashMap<>();
    options.put("addSpecialTokens", "false");
    options.put("truncation", "false");
    options.put("padding", "false");
    HuggingFaceTokenizer tokenizer;
    try {
      tokenizer = HuggingFaceTokenizer.newInstance(file, options);
    } catch (IOException | RuntimeException e) {
      throw new TokenizerException("cannot load " + file + ": " + e.getMessage(), e);
    }
    checkAddedTokenIds(tokenizer, vocab, file);
    return new Tokenizer(dir, tokenizer, vocab, configs, chatTemplate);
  }

  /**
   * The Rust library ignores the id an added token declares when the token is not in the model
   * vocabulary and gives it the next free id instead; catch a tokenizer.json where that differs.
   */
  private static void checkAddedTokenIds(
      HuggingFaceTokenizer tokenizer, Vocabulary vocab, Path file) {
    for (Map.Entry<String, Integer> e : vocab.addedTokens().entrySet()) {
      long[] ids = tokenizer.encode(e.getKey(), false, false).getIds();
      if (ids.length != 1 || ids[0] != e.getValue()) {
        tokenizer.close();
        throw new TokenizerException(
            file
                + ": added token \""
                + e.getKey()
                + "\" declares id "
                + e.getValue()
                + " but the tokenizer library encodes it as "
                + java.util.Arrays.toString(ids)
                + " (an added token outside model.vocab gets the next free id)");
      }
    }
  }

  /** The folder this tokenizer was loaded from. */
  public Path directory() {
    return dir;
  }

  /** Encodes text to ids without adding BOS/EOS; never truncates. */
  public int[] encode(String text) {
    return encode(text, false);
  }

  /**
   * Encodes text to ids; never truncates.
   *
   * @param addSpecialTokens whether to let the tokenizer's post-processor add its BOS/EOS (Qwen's
   *     adds none)
   */
  public int[] encode(String text, boolean addSpecialTokens) {
    Encoding encoding = native_.encode(text, addSpecialTokens, false);
    if (encoding.exceedMaxLength()) {
      throw new IllegalStateException("tokenizer truncated a text of " + text.length() + " chars");
    }
    return toInts(encoding.getIds());
  }

  /** Encodes several texts, each as {@link #encode(String)} does. */
  public List<int[]> encodeAll(List<String> texts) {
    List<int[]> out = new ArrayList<>(texts.size());
    for (String text : texts) {
      out.add(encode(text));
    }
    return out;
  }

  /**
   * Encodes texts and left-pads them to the longest with {@link #padTokenId()}.
   *
   * @throws TokenizerException when the checkpoint names no PAD token
   */
  public PaddedBatch encodeBatch(List<String> texts) {
    return PaddedBatch.leftPad(encodeAll(texts), padTokenId());
  }

  /**
   * Decodes ids to text.
   *
   * @param skipSpecialTokens whether to drop tokens marked {@code special} in tokenizer.json
   * @throws IllegalArgumentException naming the position of an id outside the vocabulary
   */
  public String decode(int[] ids, boolean skipSpecialTokens) {
    long[] longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (vocab.token(ids[i]) == null) {
        throw new IllegalArgumentException(
            "token id " + ids[i] + " at position " + i + " is not in the vocabulary of " + dir);
      }
      longs[i] = ids[i];
    }
    return native_.decode(longs, skipSpecialTokens);
  }

  /** Decodes ids to text, keeping special tokens. */
  public String decode(int[] ids) {
    return decode(ids, false);
  }

  /** One more than the largest id (model vocabulary plus added tokens). */
  public int vocabSize() {
    return vocab.size();
  }

  /**
   * The id of a vocabulary entry or added token, written as it appears in tokenizer.json (for
   * byte-level BPE a leading space is {@code Ġ}).
   *
   * @throws IllegalArgumentException when the token is not in the vocabulary
   */
  public int tokenToId(String token) {
    Integer id = vocab.id(token);
    if (id == null) {
      throw new IllegalArgumentException(
          "token \"" + token + "\" is not in the vocabulary of " + dir);
    }
    return id;
  }

  /** The id of a token, or empty when the vocabulary lacks it. */
  public OptionalInt findId(String token) {
    Integer id = vocab.id(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /**
   * The vocabulary entry of an id, as written in tokenizer.json.
   *
   * @throws IllegalArgumentException when no token has this id
   */
  public String idToToken(int id) {
    String token = vocab.token(id);
    if (token == null) {
      throw new IllegalArgumentException("token id " + id + " is not in the vocabulary of " + dir);
    }
    return token;
  }

  /** The added tokens marked {@code special} in tokenizer.json. */
  public Set<String> specialTokens() {
    return vocab.specialTokens();
  }

  /** Whether the id is an added token marked {@code special}. */
  public boolean isSpecial(int id) {
    return vocab.isSpecial(id);
  }

  /**
   * The EOS id: tokenizer_config.json's {@code eos_token}, else the first {@code eos_token_id} of
   * generation_config.json, else of config.json.
   *
   * @throws TokenizerException when none of them names one
   */
  public int eosTokenId() {
    return configs
        .resolve(vocab, "eos_token", "eos_token_id")
        .orElseThrow(() -> missing("EOS", "eos_token", "eos_token_id"));
  }

  /**
   * Every id that ends generation: tokenizer_config.json's {@code eos_token} and all {@code
   * eos_token_id}s of generation_config.json and config.json (Qwen3 lists {@code <|im_end|>} and
   * {@code <|endoftext|>}), in that order without repeats.
   *
   * @throws TokenizerException when none is named
   */
  public int[] stopTokenIds() {
    Set<Integer> ids = configs.candidates(vocab, "eos_token", "eos_token_id");
    if (ids.isEmpty()) {
      throw missing("EOS", "eos_token", "eos_token_id");
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The PAD id: tokenizer_config.json's {@code pad_token}, else {@code pad_token_id} of
   * generation_config.json, else of config.json.
   *
   * @throws TokenizerException when none of them names one
   */
  public int padTokenId() {
    return configs
        .resolve(vocab, "pad_token", "pad_token_id")
        .orElseThrow(() -> missing("PAD", "pad_token", "pad_token_id"));
  }

  /** The BOS id when the configs name one (Qwen has none). */
  public OptionalInt bosTokenId() {
    return configs.resolve(vocab, "bos_token", "bos_token_id");
  }

  /** Whether the checkpoint carries a chat template. */
  public boolean hasChatTemplate() {
    return chatTemplate != null;
  }

  /**
   * The checkpoint's chat template (chat_template.jinja or tokenizer_config.json's {@code
   * chat_template}), with its special tokens bound as template variables.
   *
   * @throws TokenizerException when the checkpoint has none
   */
  public ChatTemplate chatTemplate() {
    if (chatTemplate == null) {
      throw new TokenizerException(
          dir.resolve(CheckpointConfigs.TOKENIZER_CONFIG)
              + " has no chat_template (and there is no "
              + CheckpointConfigs.CHAT_TEMPLATE_FILE
              + ")");
    }
    return chatTemplate;
  }

  /** Renders a conversation with the checkpoint's chat template. */
  public String applyChatTemplate(List<ChatMessage> messages, boolean addGenerationPrompt) {
    return chatTemplate().render(messages, addGenerationPrompt);
  }

  /** Frees the native tokenizer. */
  @Override
  public void close() {
    native_.close();
  }

  private TokenizerException missing(String what, String tokenField, String idField) {
    return new TokenizerException(
        "no "
            + what
            + " token for "
            + dir
            + ": "
            + CheckpointConfigs.TOKENIZER_CONFIG
            + " has no "
            + tokenField
            + ", and neither "
            + CheckpointConfigs.GENERATION_CONFIG
            + " nor "
            + CheckpointConfigs.CONFIG
            + " has "
            + idField);
  }

  private static int[] toInts(long[] ids) {
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }
}
