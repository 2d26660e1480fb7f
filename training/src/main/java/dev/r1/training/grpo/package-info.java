/**
 * The GRPO objective (and its DAPO and Dr. GRPO variants) on DJL NDArrays: configuration, group
 * advantages and the clipped surrogate loss with an optional k3 KL penalty.
 *
 * <p>Everything on the autograd path uses NDArray-NDArray operations only; DJL 0.36's scalar
 * overloads ({@code mul(Number)} and friends) wrap the number in a tensor that is freed before
 * backward runs and corrupt gradients.
 */
package dev.r1.training.grpo;
