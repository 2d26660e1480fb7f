/** Verifiable, bounded reward functions: accuracy, format, language, length, countdown, code. */
package dev.r1.reward;
