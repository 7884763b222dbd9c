package io.thinkloop.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic corpus of varied strings for tokenizer parity: prose, code, digit runs, whitespace
 * runs (tabs, CR, LF), CJK, emoji with ZWJ sequences and skin tones, combining marks, right-to-left
 * and Indic/Thai scripts, added-token strings in and around text, random code points from all planes,
 * and mixtures of all of these.
 */
final class TokenizerCorpus {
    private static final String[] WORDS = {
        "the",
        "The",
        "quick",
        "brown",
        "fox",
        "jumps",
        "over",
        "lazy",
        "dog",
        "I'm",
        "don't",
        "you'll",
        "we've",
        "it's",
        "HTTP",
        "JSON",
        "Tokenizer",
        "naïve",
        "café",
        "résumé",
        "über",
        "Straße",
        "ÆØÅ",
        "hello",
        "world",
        "a",
        "an",
        "x",
        "foo_bar",
        "fooBar",
        "CamelCase",
        "snake_case",
        "UPPER",
        "e.g.",
        "i.e.",
        "U.S.A.",
        "Mr.",
        "vs.",
        "O'Neil",
        "rock'n'roll",
        "co-operate",
        "well-known",
        "C++",
        "C#",
        "F#",
        "node.js",
        "v3.2",
        "DeepSeek",
        "thinking",
        "tool",
        "call",
        "λ",
        "Ω",
        "π",
        "Σ",
        "μs",
        "°C",
    };
    private static final String[] PUNCT = {
        ".", ",", "!", "?", ";", ":", "...", "…", "—", "–", "-", "(", ")", "[", "]", "{", "}", "\"", "'", "«", "»", "“",
        "”", "‘", "’", "/", "\\", "|", "@", "#", "$", "%", "^", "&", "*", "+", "=", "<", ">", "~", "`", "_", "。", "，",
        "、", "！", "？", "：", "；", "「", "」", "『", "』", "【", "】", "《", "》", "€", "£", "¥", "©", "®", "™", "±", "×", "÷",
        "§", "¶", "•", "→", "⇒", "∀", "∃", "∑", "√", "∞", "!=", "==", "=>", "->", "::", "&&", "||", "<<", ">>", "/*",
        "*/", "//", "#!", "```", "---", "***",
    };
    private static final String[] WHITESPACE = {
        " ",
        "  ",
        "   ",
        "    ",
        "\t",
        "\t\t",
        "\n",
        "\n\n",
        "\r\n",
        "\r",
        "\r\r\n",
        " \n",
        "\n ",
        " \t\n",
        "\n\t",
        "\u00A0",
        "\u3000",
        "\u2003",
        "\u2028",
        "\u000B",
        "\u000C",
        "\u0085",
        " \r\n  ",
        "\n\n\n\n",
        "        ",
        "\t \t",
        " \u00A0 ",
    };
    private static final String[] CODE = {
        "public static void main(String[] args) {\n    System.out.println(\"Hello, world!\");\n}\n",
        "def f(x, y=2):\n\treturn x ** y  # power\n",
        "for (int i = 0; i < n; i++) { sum += a[i] * b[i]; }",
        "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"celsius\"}}",
        "<div class=\"row\"><span id='x'>&amp;&lt;&gt;</span></div>",
        "SELECT id, name FROM users WHERE age >= 18 ORDER BY name DESC LIMIT 10;",
        "const add = (a, b) => a + b; // arrow\nexport default add;",
        "#include <stdio.h>\nint main(void){printf(\"%d\\n\", 42);return 0;}",
        "fn main() -> Result<(), Box<dyn Error>> { let v: Vec<u8> = vec![1,2,3]; Ok(()) }",
        "if [[ -f \"$HOME/.bashrc\" ]]; then source ~/.bashrc; fi",
        "x = np.array([[1.0, 2.5], [3e-4, -7.25]])\nprint(x.T @ x)",
        "https://example.com/path/to/page?query=1&b=two#frag",
        "user.name+tag@example.co.uk",
        "$ git commit -m 'fix: handle \\r\\n line endings'",
        "    return self._cache.get(key, None)\n\n\n",
    };
    private static final String[] SCRIPTS = {
        "مرحبا بالعالم",
        "السلام عليكم ورحمة الله",
        "עברית היא שפה",
        "שלום עולם",
        "नमस्ते दुनिया",
        "हिन्दी भाषा",
        "สวัสดีชาวโลก",
        "ภาษาไทยไม่มีช่องว่าง",
        "Привет, мир",
        "Ελληνικά γράμματα",
        "Tiếng Việt có dấu",
        "한국어 텍스트입니다",
        "日本語のテキストです",
        "中文分词测试",
        "繁體中文測試",
        "ქართული ენა",
        "Հայերեն",
        "বাংলা ভাষা",
        "தமிழ் மொழி",
        "ትግርኛ",
        "ᠮᠣᠩᠭᠣᠯ",
        "ꯃꯤꯇꯩ",
        "ᏣᎳᎩ",
        "ⴰⵎⴰⵣⵉⵖ",
    };
    private static final String[] EMOJI = {
        "😀", "😂", "🤣", "❤️", "👍", "👍🏻", "👍🏽", "👍🏿", "👨‍👩‍👧‍👦", "👩‍💻", "🧑🏾‍🚀", "🏳️‍🌈", "🏴‍☠️",
        "🇺🇸", "🇯🇵", "🇩🇪🇫🇷", "1️⃣", "#️⃣", "©️", "☺︎", "🙂‍↔️", "❤️‍🔥", "👩🏼‍❤️‍💋‍👨🏽", "🫶🏼", "🦄", "🐉",
        "🎉🎉🎉", "✨", "⭐️", "🔥", "🚀", "💯", "🤖", "🧠",
    };
    private static final String[] COMBINING = {
        "e\u0301",
        "a\u0300",
        "o\u0308",
        "n\u0303",
        "c\u0327",
        "u\u031B\u0309",
        "Z\u0351\u036B\u0343\u036A",
        "A\u030A",
        "i\u0307\u0301",
        "\u0915\u094D\u0937",
        "\u0E01\u0E34\u0E4C",
        "\u05E9\u05C1\u05B8",
        "\u0627\u064E\u0644\u0652",
        "\u1100\u1161\u11A8",
        "\u0301",
        "\u20DD",
        "x\u0332\u0332",
    };
    private static final String[] NUMBERS = {
        "0",
        "7",
        "42",
        "123",
        "1234",
        "12345",
        "123456789",
        "3.14159",
        "2.718281828459045",
        "1,234,567",
        "1e10",
        "-0.5",
        "+33 1 23 45 67 89",
        "2026-11-28",
        "15:20:05",
        "0xFF",
        "0b1010",
        "v1.2.3",
        "10%",
        "٠١٢٣٤٥٦٧٨٩",
        "١٢٣",
        "０１２３４",
        "²³",
        "¼½¾",
        "Ⅻ",
        "ⅷ",
        "①②③",
        "〇一二三",
        "१२३४",
        "๑๒๓",
        "𝟘𝟙𝟚",
        "1000000000000000000000",
        "007",
        "3/4",
        "99.99$",
        "$1,000.00",
    };

    private final SplittableRandom rnd;
    private final String[] addedTokens;

    TokenizerCorpus(long seed, List<String> addedTokens) {
        this.rnd = new SplittableRandom(seed);
        this.addedTokens = addedTokens.toArray(String[]::new);
    }

    List<String> generate(int count) {
        List<String> out = new ArrayList<>(count);
        // Fixed edge cases first.
        out.add("");
        out.add(" ");
        out.add("\n");
        out.add("\r\n");
        out.add("<think>");
        out.add("</think>");
        out.add("<｜User｜>Hello<｜Assistant｜><think>hmm</think>Hi!<｜end▁of▁sentence｜>");
        out.add("<<think>>");
        out.add("<think</think>");
        out.add("<｜User｜<｜User｜>>");
        out.add("<｜begin▁of▁sentence｜><｜begin▁of▁sentence｜>");
        out.add("<｜Use");
        out.add("a".repeat(3000));
        out.add(" ".repeat(1000) + "x");
        out.add("1".repeat(50));
        out.add("中".repeat(500));
        out.add("ab".repeat(700));
        while (out.size() < count) {
            out.add(
                    switch (out.size() % 12) {
                        case 0 -> prose();
                        case 1 -> pick(CODE) + (rnd.nextBoolean() ? pick(CODE) : "");
                        case 2 -> numbers();
                        case 3 -> whitespaceMix();
                        case 4 -> cjk();
                        case 5 -> emoji();
                        case 6 -> combining();
                        case 7 -> scripts();
                        case 8 -> withAddedTokens();
                        case 9 -> randomUnicode();
                        case 10 -> randomAscii();
                        default -> mixture();
                    });
        }
        return out;
    }

    private String pick(String[] a) {
        return a[rnd.nextInt(a.length)];
    }

    private String prose() {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(40);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(rnd.nextInt(10) == 0 ? pick(WHITESPACE) : " ");
            }
            sb.append(pick(WORDS));
            if (rnd.nextInt(5) == 0) {
                sb.append(pick(PUNCT));
            }
        }
        return sb.toString();
    }

    private String numbers() {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(12);
        for (int i = 0; i < n; i++) {
            switch (rnd.nextInt(4)) {
                case 0 -> sb.append(pick(NUMBERS));
                case 1 -> {
                    int digits = 1 + rnd.nextInt(30);
                    for (int d = 0; d < digits; d++) {
                        sb.append((char) ('0' + rnd.nextInt(10)));
                    }
                }
                case 2 -> sb.append(pick(WORDS)).append(rnd.nextInt(100000));
                default -> sb.append(rnd.nextInt()).append(pick(PUNCT));
            }
            sb.append(rnd.nextBoolean() ? " " : pick(WHITESPACE));
        }
        return sb.toString();
    }

    private String whitespaceMix() {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(15);
        for (int i = 0; i < n; i++) {
            sb.append(pick(WHITESPACE));
            if (rnd.nextInt(3) > 0) {
                sb.append(rnd.nextBoolean() ? pick(WORDS) : pick(PUNCT));
            }
        }
        return sb.toString();
    }

    private String cjk() {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(60);
        for (int i = 0; i < n; i++) {
            int r = rnd.nextInt(10);
            if (r < 5) {
                sb.append((char) (0x4E00 + rnd.nextInt(0x9FA5 - 0x4E00 + 1)));
            } else if (r < 6) {
                sb.append((char) (0x3040 + rnd.nextInt(0x60)));
            } else if (r < 7) {
                sb.append((char) (0x30A0 + rnd.nextInt(0x60)));
            } else if (r < 8) {
                sb.appendCodePoint(0x9FA6 + rnd.nextInt(0x5A)); // just past the pre-tokenizer's CJK range
            } else if (r < 9) {
                sb.append(rnd.nextBoolean() ? pick(PUNCT) : pick(NUMBERS));
            } else {
                sb.append(rnd.nextBoolean() ? " " : pick(WORDS));
            }
        }
        return sb.toString();
    }

    private String emoji() {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(10);
        for (int i = 0; i < n; i++) {
            if (rnd.nextInt(4) == 0) {
                // Synthesized ZWJ sequence with optional skin tones and variation selectors.
                int parts = 2 + rnd.nextInt(3);
                for (int p = 0; p < parts; p++) {
                    if (p > 0) {
                        sb.append('\u200D');
                    }
                    sb.appendCodePoint(0x1F466 + rnd.nextInt(0x1F469 - 0x1F466 + 1));
                    if (rnd.nextBoolean()) {
                        sb.appendCodePoint(0x1F3FB + rnd.nextInt(5));
                    }
                    if (rnd.nextInt(4) == 0) {
                        sb.append('\uFE0F');
                    }
                }
            } else {
                sb.append(pick(EMOJI));
            }
            if (rnd.nextBoolean()) {
                sb.append(rnd.nextBoolean() ? " " : pick(WORDS));
            }
        }
        return sb.toString();
    }

    private String combining() {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(15);
        for (int i = 0; i < n; i++) {
            sb.append(pick(COMBINING));
            int extra = rnd.nextInt(3);
            for (int e = 0; e < extra; e++) {
                sb.append((char) (0x0300 + rnd.nextInt(0x70)));
            }
            if (rnd.nextBoolean()) {
                sb.append(rnd.nextBoolean() ? " " : pick(WORDS));
            }
        }
        return sb.toString();
    }

    private String scripts() {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(8);
        for (int i = 0; i < n; i++) {
            sb.append(pick(SCRIPTS));
            sb.append(rnd.nextInt(3) == 0 ? pick(PUNCT) : rnd.nextInt(4) == 0 ? pick(NUMBERS) : " ");
        }
        return sb.toString();
    }

    private String withAddedTokens() {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(8);
        for (int i = 0; i < n; i++) {
            int r = rnd.nextInt(6);
            String tok = r < 2
                    ? pick(new String[] {
                        "<think>",
                        "</think>",
                        "<｜User｜>",
                        "<｜Assistant｜>",
                        "<｜end▁of▁sentence｜>",
                        "<｜tool▁calls▁begin｜>",
                        "<｜tool▁sep｜>"
                    })
                    : pick(addedTokens);
            if (r == 5 && tok.length() > 2) {
                tok = tok.substring(0, 1 + rnd.nextInt(tok.length() - 1)); // a prefix that must not match
            }
            sb.append(tok);
            if (rnd.nextBoolean()) {
                sb.append(rnd.nextBoolean() ? prose() : pick(PUNCT));
            }
            if (rnd.nextInt(3) == 0) {
                sb.append(pick(WHITESPACE));
            }
        }
        return sb.toString();
    }

    private String randomUnicode() {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(30);
        for (int i = 0; i < n; i++) {
            int cp;
            int r = rnd.nextInt(10);
            if (r < 4) {
                cp = rnd.nextInt(0x80, 0x3000);
            } else if (r < 6) {
                cp = rnd.nextInt(0x3000, 0x10000);
            } else if (r < 9) {
                cp = rnd.nextInt(0x10000, 0x30000);
            } else {
                cp = rnd.nextInt(0x30000, 0x110000);
            }
            if (Character.getType(cp) == Character.SURROGATE) {
                cp = 0x1F600 + (cp & 0x3F); // lone surrogates cannot cross into the Rust library
            }
            sb.appendCodePoint(cp);
            if (rnd.nextInt(5) == 0) {
                sb.append(' ');
            }
        }
        return sb.toString();
    }

    private String randomAscii() {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(80);
        for (int i = 0; i < n; i++) {
            sb.append((char) rnd.nextInt(0, 0x80));
        }
        return sb.toString();
    }

    private String mixture() {
        StringBuilder sb = new StringBuilder();
        int n = 2 + rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            sb.append(
                    switch (rnd.nextInt(10)) {
                        case 0 -> prose();
                        case 1 -> pick(CODE);
                        case 2 -> numbers();
                        case 3 -> whitespaceMix();
                        case 4 -> cjk();
                        case 5 -> emoji();
                        case 6 -> combining();
                        case 7 -> scripts();
                        case 8 -> withAddedTokens();
                        default -> randomUnicode();
                    });
        }
        return sb.toString();
    }
}
