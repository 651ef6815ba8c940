package dev.parlance.tts.core.text;

/** Numbers as English words, the way they are read aloud. */
public final class EnglishNumbers {
  private EnglishNumbers() {}

  private static final String[] ONES = {
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen"
  };
  private static final String[] TENS = {
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"
  };
  private static final String[] SCALES = {"", "thousand", "million", "billion", "trillion"};
  private static final long MAX = 999_999_999_999_999L;

  /** Whether {@link #cardinal} reads {@code n} as a number rather than digit by digit. */
  public static boolean inRange(long n) {
    return n >= -MAX && n <= MAX;
  }

  /** {@code 1234} as "one thousand two hundred thirty-four"; beyond trillions, digit by digit. */
  public static String cardinal(long n) {
    if (n < 0) {
      return "minus " + cardinal(-n);
    }
    if (n > MAX) {
      return digits(Long.toString(n));
    }
    if (n < 1000) {
      return belowThousand((int) n);
    }
    StringBuilder sb = new StringBuilder();
    long rest = n;
    for (int scale = SCALES.length - 1; scale >= 0; scale--) {
      long unit = pow1000(scale);
      int group = (int) (rest / unit);
      rest %= unit;
      if (group == 0) {
        continue;
      }
      if (!sb.isEmpty()) {
        sb.append(' ');
      }
      sb.append(belowThousand(group));
      if (scale > 0) {
        sb.append(' ').append(SCALES[scale]);
      }
    }
    return sb.toString();
  }

  /** {@code 22} as "twenty-second". */
  public static String ordinal(long n) {
    String words = cardinal(n);
    int cut = Math.max(words.lastIndexOf(' '), words.lastIndexOf('-')) + 1;
    String head = words.substring(0, cut);
    String last = words.substring(cut);
    String suffixed =
        switch (last) {
          case "one" -> "first";
          case "two" -> "second";
          case "three" -> "third";
          case "five" -> "fifth";
          case "eight" -> "eighth";
          case "nine" -> "ninth";
          case "twelve" -> "twelfth";
          default ->
              last.endsWith("y") ? last.substring(0, last.length() - 1) + "ieth" : last + "th";
        };
    return head + suffixed;
  }

  /**
   * A year as usually read: 1984 "nineteen eighty-four", 1905 "nineteen oh five", 1900 "nineteen
   * hundred".
   */
  public static String year(int year) {
    if (year < 1100 || year > 1999) {
      return cardinal(year);
    }
    int hi = year / 100;
    int lo = year % 100;
    if (lo == 0) {
      return cardinal(hi) + " hundred";
    }
    return cardinal(hi) + (lo < 10 ? " oh " : " ") + cardinal(lo);
  }

  /** Each digit as a word: "007" as "zero zero seven". */
  public static String digits(CharSequence s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        if (!sb.isEmpty()) {
          sb.append(' ');
        }
        sb.append(ONES[c - '0']);
      }
    }
    return sb.toString();
  }

  private static String belowThousand(int n) {
    StringBuilder sb = new StringBuilder();
    if (n >= 100) {
      sb.append(ONES[n / 100]).append(" hundred");
      n %= 100;
      if (n == 0) {
        return sb.toString();
      }
      sb.append(' ');
    }
    if (n < 20) {
      sb.append(ONES[n]);
    } else {
      sb.append(TENS[n / 10]);
      if (n % 10 != 0) {
        sb.append('-').append(ONES[n % 10]);
      }
    }
    return sb.toString();
  }

  private static long pow1000(int scale) {
    long v = 1;
    for (int i = 0; i < scale; i++) {
      v *= 1000;
    }
    return v;
  }
}
