/** Evaluation of policies on held-out task rows: pass@k, cons@k, format rate, length. */
package dev.r1.training.eval;
