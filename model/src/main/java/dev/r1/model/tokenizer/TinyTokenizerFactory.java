package dev.r1.model.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the tokenizer of the platform's tiny models as an ordinary Hugging Face folder: a
 * byte-level BPE {@code tokenizer.json} (the GPT-2 byte alphabet, no merges, so every UTF-8 text
 * round-trips, one token per byte) and a {@code tokenizer_config.json} with a ChatML chat template.
 *
 * <p>Ids: the {@link #SPECIAL_TOKENS} take 0 to 7 in order ({@code <|pad|>} is 0), then byte {@code
 * b} is id {@code 8 + b}; {@link #VOCAB_SIZE} is 264. The chat and padding tokens are {@code
 * special} (skipped by {@code decode(ids, true)}); the think and answer tags are added tokens but
 * not special, as in Qwen3, so they encode to single ids and survive decoding with special tokens
 * skipped, which is what reward functions read.
 */
public final class TinyTokenizerFactory {

  /** Padding, id 0. */
  public static final String PAD = "<|pad|>";

  /** End of document, id 1. */
  public static final String END_OF_TEXT = "<|endoftext|>";

  /** ChatML turn start, id 2. */
  public static final String IM_START = "<|im_start|>";

  /** ChatML turn end and the EOS token, id 3. */
  public static final String IM_END = "<|im_end|>";

  /** Reasoning opener, id 4. */
  public static final String THINK = "<think>";

  /** Reasoning closer, id 5. */
  public static final String END_THINK = "</think>";

  /** Answer opener, id 6. */
  public static final String ANSWER = "<answer>";

  /** Answer closer, id 7. */
  public static final String END_ANSWER = "</answer>";

  /** The added tokens; a token's index here is its id. */
  public static final List<String> SPECIAL_TOKENS =
      List.of(PAD, END_OF_TEXT, IM_START, IM_END, THINK, END_THINK, ANSWER, END_ANSWER);

  /** Id of byte 0; byte {@code b} has id {@code BYTE_OFFSET + b}. */
  public static final int BYTE_OFFSET = SPECIAL_TOKENS.size();

  /** Number of ids: 8 added tokens and 256 bytes. */
  public static final int VOCAB_SIZE = BYTE_OFFSET + 256;

  private static final int CHAT_TOKENS = 4; // PAD .. IM_END are special, the tags are not

  private TinyTokenizerFactory() {}

  /**
   * Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}, creating it.
   *
   * @return {@code dir}
   * @throws UncheckedIOException naming the file that could not be written
   */
  public static Path write(Path dir) {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Path tokenizerJson = dir.resolve(CheckpointConfigs.TOKENIZER_JSON);
    Path tokenizerConfig = dir.resolve(CheckpointConfigs.TOKENIZER_CONFIG);
    try {
      Files.createDirectories(dir);
      json.writeValue(tokenizerJson.toFile(), tokenizerJson());
      json.writeValue(tokenizerConfig.toFile(), tokenizerConfig());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the tiny tokenizer into " + dir, e);
    }
    return dir;
  }

  /** The GPT-2 byte-to-unicode alphabet: the printable character standing for each byte. */
  static char[] byteAlphabet() {
    char[] chars = new char[256];
    boolean[] printable = new boolean[256];
    for (int b = '!'; b <= '~'; b++) {
      printable[b] = true;
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      printable[b] = true;
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      printable[b] = true;
    }
    int next = 256;
    for (int b = 0; b < 256; b++) {
      chars[b] = printable[b] ? (char) b : (char) next++;
    }
    return chars;
  }

  private static Map<String, Object> tokenizerJson() {
    List<Object> added = new ArrayList<>();
    for (int id = 0; id < SPECIAL_TOKENS.size(); id++) {
      added.add(addedToken(id));
    }
    // The added tokens must also be model.vocab entries: the Rust library gives an added token
    // that is absent from the model vocabulary the next free id after it, whatever id the JSON
    // declares, which would collide with the byte ids.
    Map<String, Object> vocab = new LinkedHashMap<>();
    for (int id = 0; id < SPECIAL_TOKENS.size(); id++) {
      vocab.put(SPECIAL_TOKENS.get(id), id);
    }
    char[] alphabet = byteAlphabet();
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(alphabet[b]), BYTE_OFFSET + b);
    }
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("type", "BPE");
    model.put("dropout", null);
    model.put("unk_token", null);
    model.put("continuing_subword_prefix", null);
    model.put("end_of_word_suffix", null);
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    model.put("ignore_merges", false);
    model.put("vocab", vocab);
    model.put("merges", List.of());

    Map<String, Object> root = new LinkedHashMap<>();
    root.put("version", "1.0");
    root.put("truncation", null);
    root.put("padding", null);
    root.put("added_tokens", added);
    root.put("normalizer", null);
    root.put("pre_tokenizer", byteLevel());
    root.put("post_processor", null);
    root.put("decoder", byteLevel());
    root.put("model", model);
    return root;
  }

  private static Map<String, Object> byteLevel() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "ByteLevel");
    m.put("add_prefix_space", false);
    m.put("trim_offsets", false);
    m.put("use_regex", false);
    return m;
  }

  private static Map<String, Object> addedToken(int id) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("id", id);
    t.put("content", SPECIAL_TOKENS.get(id));
    t.put("single_word", false);
    t.put("lstrip", false);
    t.put("rstrip", false);
    t.put("normalized", false);
    t.put("special", id < CHAT_TOKENS);
    return t;
  }

  private static Map<String, Object> tokenizerConfig() {
    Map<String, Object> decoder = new LinkedHashMap<>();
    for (int id = 0; id < SPECIAL_TOKENS.size(); id++) {
      Map<String, Object> t = addedToken(id);
      t.remove("id");
      decoder.put(String.valueOf(id), t);
    }
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("add_bos_token", false);
    c.put("add_eos_token", false);
    c.put("add_prefix_space", false);
    c.put("added_tokens_decoder", decoder);
    c.put("additional_special_tokens", List.of(IM_START, IM_END));
    c.put("bos_token", null);
    c.put("chat_template", ChatTemplate.CHATML_JINJA);
    c.put("clean_up_tokenization_spaces", false);
    c.put("eos_token", IM_END);
    c.put("pad_token", PAD);
    c.put("unk_token", null);
    c.put("model_max_length", 1_000_000);
    c.put("tokenizer_class", "PreTrainedTokenizerFast");
    return c;
  }
}
