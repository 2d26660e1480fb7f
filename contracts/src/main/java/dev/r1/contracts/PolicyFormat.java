package dev.r1.contracts;

/** How the weights behind a {@link PolicyPublished#uri()} are stored. */
public enum PolicyFormat {
  /** DJL parameter file(s) ({@code .params}) for the platform's own model classes. */
  DJL_PARAMS,
  /** A single safetensors file with Hugging Face parameter names. */
  SAFETENSORS,
  /** A Hugging Face model directory (config.json, safetensors shards, tokenizer files). */
  HF_DIRECTORY
}
