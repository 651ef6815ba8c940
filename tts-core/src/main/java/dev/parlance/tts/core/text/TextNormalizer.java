package dev.parlance.tts.core.text;

import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites what Parler cannot read into words: numbers, money, percentages, ordinals, clock times
 * and common symbols. <b>English only</b>: the rules produce English words and assume English
 * conventions ({@code 1,000.5} means one thousand point five). Text without such tokens passes
 * through unchanged apart from whitespace and typographic punctuation.
 *
 * <p>The rules are deliberately few and predictable; anything they do not recognise is left as
 * written.
 */
public final class TextNormalizer {

  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final Pattern MONEY =
      Pattern.compile(
          "([$€£])\\s?(\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.(\\d{1,2}))?"
              + "(?:\\s?(thousand|million|billion|trillion)\\b)?");
  private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s?%");
  private static final Pattern ORDINAL = Pattern.compile("\\b(\\d+)(st|nd|rd|th)\\b");
  private static final Pattern TIME =
      Pattern.compile("\\b([01]?\\d|2[0-3]):([0-5]\\d)\\b(\\s?[aApP]\\.?[mM]\\.?)?");
  private static final Pattern YEAR =
      Pattern.compile("(?<![\\d.,])(1[1-9]\\d\\d)(s?)(?![\\d.,]\\d)");
  private static final Pattern NUMBER =
      Pattern.compile("(?<![\\w.])(-?)(\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.(\\d+))?(?![\\d])");
  private static final Pattern DEGREES = Pattern.compile("\\s?°\\s?([CF])\\b");

  /** Normalises {@code text} for synthesis. */
  public String normalize(String text) {
    String s = typography(text);
    s = replace(MONEY, s, TextNormalizer::money);
    s = replace(PERCENT, s, m -> number(m.group(1)) + " percent");
    s = replace(ORDINAL, s, m -> EnglishNumbers.ordinal(Long.parseLong(m.group(1))));
    s = replace(TIME, s, TextNormalizer::time);
    s = replace(YEAR, s, TextNormalizer::year);
    s =
        replace(
            DEGREES, s, m -> m.group(1).equals("C") ? " degrees Celsius" : " degrees Fahrenheit");
    s = symbols(s);
    s = replace(NUMBER, s, TextNormalizer::plainNumber);
    return SPACES.matcher(s).replaceAll(" ").strip();
  }

  private static String typography(String s) {
    return s.replace('\u2018', '\'')
        .replace('\u2019', '\'')
        .replace('\u201C', '"')
        .replace('\u201D', '"')
        .replace("\u2026", "...")
        .replace("\u2014", ", ")
        .replace('\u2013', '-')
        .replace('\u00A0', ' ');
  }

  private static String symbols(String s) {
    return s.replace("&", " and ")
        .replace(" + ", " plus ")
        .replace(" = ", " equals ")
        .replace("@", " at ")
        .replace("°", " degrees")
        .replace("×", " times ")
        .replaceAll("#(?=\\d)", "number ");
  }

  private static String money(Matcher m) {
    String symbol = m.group(1);
    long whole = Long.parseLong(m.group(2).replace(",", ""));
    String cents = m.group(3);
    String scale = m.group(4);
    String[] unit =
        switch (symbol) {
          case "€" -> new String[] {"euro", "euros", "cent", "cents"};
          case "£" -> new String[] {"pound", "pounds", "penny", "pence"};
          default -> new String[] {"dollar", "dollars", "cent", "cents"};
        };
    if (scale != null) {
      String amount =
          cents == null ? EnglishNumbers.cardinal(whole) : number(m.group(2) + "." + cents);
      return amount + " " + scale + " " + unit[1];
    }
    int c = cents == null ? 0 : Integer.parseInt(cents.length() == 1 ? cents + "0" : cents);
    StringBuilder sb = new StringBuilder();
    if (whole > 0 || c == 0) {
      sb.append(EnglishNumbers.cardinal(whole)).append(' ').append(whole == 1 ? unit[0] : unit[1]);
    }
    if (c > 0) {
      if (!sb.isEmpty()) {
        sb.append(" and ");
      }
      sb.append(EnglishNumbers.cardinal(c)).append(' ').append(c == 1 ? unit[2] : unit[3]);
    }
    return sb.toString();
  }

  private static String time(Matcher m) {
    int hour = Integer.parseInt(m.group(1));
    int minute = Integer.parseInt(m.group(2));
    String meridiem = m.group(3);
    String words = EnglishNumbers.cardinal(hour);
    if (minute == 0) {
      words += meridiem == null ? " o'clock" : "";
    } else {
      words += (minute < 10 ? " oh " : " ") + EnglishNumbers.cardinal(minute);
    }
    if (meridiem != null) {
      String letter = meridiem.strip().substring(0, 1).toLowerCase(java.util.Locale.ROOT);
      words += " " + letter + ".m.";
    }
    return words;
  }

  private static String year(Matcher m) {
    String words = EnglishNumbers.year(Integer.parseInt(m.group(1)));
    if (m.group(2).isEmpty()) {
      return words;
    }
    // 1990s: "nineteen nineties"
    return words.endsWith("y") ? words.substring(0, words.length() - 1) + "ies" : words + "s";
  }

  private static String plainNumber(Matcher m) {
    String sign = m.group(1).isEmpty() ? "" : "minus ";
    String fraction = m.group(3);
    return sign + number(m.group(2) + (fraction == null ? "" : "." + fraction));
  }

  /** "1,234.56" as "one thousand two hundred thirty-four point five six". */
  private static String number(String s) {
    int dot = s.indexOf('.');
    String whole = (dot < 0 ? s : s.substring(0, dot)).replace(",", "");
    String words;
    if (whole.length() > 15 || (whole.length() > 1 && whole.startsWith("0"))) {
      words = EnglishNumbers.digits(whole);
    } else {
      words = EnglishNumbers.cardinal(Long.parseLong(whole));
    }
    if (dot >= 0) {
      words += " point " + EnglishNumbers.digits(s.substring(dot + 1));
    }
    return words;
  }

  private static String replace(Pattern p, String s, Function<Matcher, String> f) {
    Matcher m = p.matcher(s);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(f.apply(m)));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
