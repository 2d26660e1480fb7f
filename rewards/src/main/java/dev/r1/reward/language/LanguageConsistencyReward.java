package dev.r1.reward.language;

import dev.r1.reward.RewardFunction;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardParams;
import dev.r1.reward.RewardResult;
import dev.r1.reward.TextUnits;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * DeepSeek-R1's language-consistency reward: the share of chain-of-thought words (inside {@code
 * <think>}) written in the target language.
 *
 * <p>Words are decided by script: a run of two or more Latin letters is one English word, each Han
 * ideograph is one Chinese word, a run of letters of any other script (or a kana character) is a
 * word in neither language. Numbers, punctuation, math spans ({@code $...$}, {@code \(...\)},
 * {@code \[...\]}), LaTeX commands ({@code \frac}) and single Latin letters (variables such as
 * {@code x}) are ignored. Target: metadata {@code language} when present, else the {@code language}
 * param ({@code en}/{@code english}, {@code zh}/{@code chinese}). No think block or no words scores
 * 0 (nothing to reward), with the reason in the detail.
 */
public final class LanguageConsistencyReward implements RewardFunction {

  /** Accepted parameter names. */
  public static final Set<String> PARAMS = Set.of("language");

  /** A supported target language. */
  public enum Language {
    ENGLISH,
    CHINESE;

    /** Parses {@code en}, {@code english}, {@code zh}, {@code zh-cn}, {@code chinese}... */
    public static Language parse(String s) {
      String k = s.trim().toLowerCase(Locale.ROOT);
      if (k.equals("en") || k.startsWith("en-") || k.startsWith("en_") || k.equals("english")) {
        return ENGLISH;
      }
      if (k.equals("zh") || k.startsWith("zh-") || k.startsWith("zh_") || k.equals("chinese")) {
        return CHINESE;
      }
      throw new IllegalArgumentException(
          "language must be one of en, english, zh, chinese (or en-*/zh-*), got '" + s + "'");
    }
  }

  private final Language defaultTarget;

  public LanguageConsistencyReward(Language defaultTarget) {
    this.defaultTarget = defaultTarget;
  }

  /** From spec params; {@code language} optional (then every row must carry metadata). */
  public static LanguageConsistencyReward from(RewardParams p) {
    p.requireOnly(PARAMS);
    String lang = p.getString("language", null);
    try {
      return new LanguageConsistencyReward(lang == null ? null : Language.parse(lang));
    } catch (IllegalArgumentException e) {
      throw p.invalid("language", e.getMessage().substring("language ".length()));
    }
  }

  @Override
  public String name() {
    return "language_consistency";
  }

  @Override
  public RewardResult score(RewardInput input) {
    Language target = target(input.metadata());
    String cot = TextUnits.thinkContent(input.completion());
    if (cot == null) {
      return RewardResult.ok(0.0, "no <think> block");
    }
    Counts c = count(cot);
    if (c.total() == 0) {
      return RewardResult.ok(0.0, "no words in the <think> block");
    }
    long hits = target == Language.ENGLISH ? c.english : c.chinese;
    return RewardResult.ok(
        hits / (double) c.total(),
        "en=" + c.english + " zh=" + c.chinese + " other=" + c.other + " target=" + target);
  }

  private Language target(Map<String, Object> metadata) {
    Object v = metadata.get("language");
    if (v instanceof String s && !s.isBlank()) {
      try {
        return Language.parse(s);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("metadata." + e.getMessage());
      }
    }
    if (v != null && !(v instanceof String)) {
      throw new IllegalArgumentException("metadata.language must be a string, got " + v);
    }
    if (defaultTarget == null) {
      throw new IllegalArgumentException(
          "no target language: set params.language or metadata.language");
    }
    return defaultTarget;
  }

  /** Word counts by language. */
  record Counts(long english, long chinese, long other) {
    long total() {
      return english + chinese + other;
    }
  }

  static Counts count(String s) {
    long en = 0;
    long zh = 0;
    long other = 0;
    int n = s.length();
    int i = 0;
    while (i < n) {
      int cp = s.codePointAt(i);
      // math spans
      if (cp == '$') {
        boolean dbl = i + 1 < n && s.charAt(i + 1) == '$';
        String close = dbl ? "$$" : "$";
        int end = s.indexOf(close, i + close.length());
        if (end > 0) {
          i = end + close.length();
          continue;
        }
        i++;
        continue;
      }
      if (cp == '\\' && i + 1 < n) {
        char next = s.charAt(i + 1);
        if (next == '(' || next == '[') {
          int end = s.indexOf(next == '(' ? "\\)" : "\\]", i + 2);
          if (end > 0) {
            i = end + 2;
            continue;
          }
        }
        int j = i + 1;
        while (j < n && Character.isLetter(s.charAt(j))) {
          j++;
        }
        i = Math.max(j, i + 1);
        continue;
      }
      if (TextUnits.isHan(cp)) {
        zh++;
        i += Character.charCount(cp);
        continue;
      }
      if (Character.isLetter(cp)) {
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        if (TextUnits.isCjk(cp)) {
          other++; // kana: one word per character, neither target language
          i += Character.charCount(cp);
          continue;
        }
        int j = i;
        int letters = 0;
        while (j < n) {
          int c2 = s.codePointAt(j);
          if (!Character.isLetter(c2)
              || TextUnits.isCjk(c2)
              || Character.UnicodeScript.of(c2) != script) {
            break;
          }
          letters++;
          j += Character.charCount(c2);
        }
        if (script == Character.UnicodeScript.LATIN) {
          if (letters >= 2) {
            en++;
          }
        } else {
          other++;
        }
        i = j;
        continue;
      }
      i += Character.charCount(cp);
    }
    return new Counts(en, zh, other);
  }
}
