/**
 * Tasks with verifiable answers: the built-in {@link dev.r1.training.task.ArithmeticTask}, user
 * JSONL tasks, and the chat-template prompts they are rendered into.
 */
package dev.r1.training.task;
