/** Supervised fine-tuning on prompt/response pairs with the loss on response tokens only. */
package dev.r1.training.sft;
