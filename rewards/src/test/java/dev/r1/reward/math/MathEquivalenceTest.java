package dev.r1.reward.math;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MathEquivalenceTest {

  @ParameterizedTest(name = "{0} == {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          1234 | 1,234
          0.5 | \\frac{1}{2}
          0.5 | 1/2
          \\frac12 | \\dfrac{1}{2}
          \\tfrac{3}{4} | 0.75
          50\\% | 50
          50\\% | 0.5
          1.5e3 | 1500
          3 \\times 10^{2} | 300
          \\sqrt{2} | \\sqrt2
          2\\sqrt{2} | \\sqrt{8}
          \\pi | 3.14159265
          \\frac{\\pi}{2} | \\pi/2
          x = 5 | 5
          \\$42 | 42
          90^\\circ | 90
          90^{\\circ} | 90
          10 \\text{ cm} | 10
          \\left( 1, 2 \\right) | (1,2)
          (1, 2] | (1,2]
          [-\\infty, 3) | [-\\infty,3)
          \\{1, 2, 3\\} | \\{3, 1, 2\\}
          1\\!,\\!000 | 1000
          x^2 + 2x + 1 | (x+1)^2
          \\frac{a}{b} + \\frac{c}{b} | \\frac{a+c}{b}
          025 | 25
          -3 | -3.0
          (3, \\frac{\\pi}{2}) | \\left( 3, \\frac{\\pi}{2} \\right)
          \\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix} | \\begin{pmatrix}1\\\\2\\end{pmatrix}
          """)
  void equivalent(String gold, String pred) {
    assertThat(MathEquivalence.equivalent(gold.trim(), pred.trim())).isTrue();
  }

  @ParameterizedTest(name = "{0} != {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          1234 | 1235
          (1, 2) | (2, 1)
          (1, 2) | [1, 2]
          [1, 2) | [1, 2]
          x^2 | 2x
          \\sqrt{2} | 1.41
          \\frac{1}{3} | 0.33
          5 | x
          2 | -2
          \\{1, 2\\} | \\{1, 2, 3\\}
          x > 5 | x < 5
          """)
  void notEquivalent(String gold, String pred) {
    assertThat(MathEquivalence.equivalent(gold.trim(), pred.trim())).isFalse();
  }
}
