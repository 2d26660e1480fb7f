/** Training objectives (GRPO, SFT), advantages and batch assembly on DJL NDArrays. */
package dev.r1.training;
