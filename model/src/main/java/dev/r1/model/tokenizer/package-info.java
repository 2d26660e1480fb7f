/**
 * Tokenizers and chat templates of Hugging Face checkpoint folders.
 *
 * <p>{@link dev.r1.model.tokenizer.Tokenizer} loads {@code tokenizer.json} through DJL's native
 * Hugging Face tokenizer (no truncation, no implicit special tokens) and resolves EOS/PAD from the
 * folder's configs; {@link dev.r1.model.tokenizer.ChatTemplate} renders the checkpoint's Jinja chat
 * template with Jinjava; {@link dev.r1.model.tokenizer.TinyTokenizerFactory} writes the byte-level
 * tokenizer of the platform's tiny models.
 */
package dev.r1.model.tokenizer;
