/**
 * The platform's public messaging API: Kafka topic names and the versioned records that travel on
 * them. Every record carries the job id and the ids needed to trace a gradient step back to its
 * prompts, completions, rewards and policy version.
 */
package dev.r1.contracts;
