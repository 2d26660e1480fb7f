package dev.r1.reward.math;

import java.util.List;

/** Parsed math answer: an expression tree plus the structures answers come in. */
sealed interface Node {

  /** A number literal. */
  record Num(double value, String text) implements Node {}

  /** A free symbol such as {@code x}, {@code x_1}, {@code \alpha}. */
  record Var(String name) implements Node {}

  /** A named constant: {@code pi}, {@code e}, {@code inf}. */
  record Const(String name) implements Node {}

  /** A binary operation: + - * / ^ and ± (plus-minus, expanded before evaluation). */
  record Bin(char op, Node a, Node b) implements Node {}

  /** Unary minus. */
  record Neg(Node a) implements Node {}

  /** A function application: sqrt, root, abs, sin, log, fact, binom, floor, ceil... */
  record Fn(String name, List<Node> args) implements Node {}

  /** A value written with a percent sign. */
  record Percent(Node inner) implements Node {}

  /** Text that is not math (compared as a string). */
  record Text(String text) implements Node {}

  /** A parenthesised, ordered tuple (also an open interval when it has two items). */
  record Tuple(List<Node> items) implements Node {}

  /** An interval; fromRelation when it came from a chained inequality {@code a < x < b}. */
  record Interval(Node lo, Node hi, boolean loClosed, boolean hiClosed, boolean fromRelation)
      implements Node {}

  /** A set literal {@code \{...\}} (unordered). */
  record SetN(List<Node> items) implements Node {}

  /** A bare comma-separated list of answers (compared unordered). */
  record ListN(List<Node> items) implements Node {}

  /** A union of sets or intervals. */
  record Union(List<Node> parts) implements Node {}

  /** An equation {@code l = r}. */
  record Eq(Node l, Node r) implements Node {}

  /** An inequality {@code l op r} with op one of < > ≤ ≥ ≠. */
  record Ineq(Node l, String op, Node r) implements Node {}

  /** A matrix or column vector. */
  record Matrix(List<List<Node>> rows) implements Node {}

  /** Something parsed but only comparable by its text. */
  record Opaque(String text) implements Node {}
}
