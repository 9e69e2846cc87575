package searcher.testanalysis;

import java.util.ArrayList;
import java.util.List;

/** Parses the {@code "from => to"} rule lines of the mapping and stemmer_override types. */
final class Rules {

    /** One rule: every source (comma-separated on the left, if allowed) maps to {@code to}. */
    record Rule(List<String> from, String to) {}

    private Rules() {}

    /**
     * Splits {@code line} at its first {@code =>}.  Both sides are trimmed and unescaped
     * ({@code \\uXXXX}, {@code \\n}, {@code \\t}, {@code \\r}, {@code \\f}, {@code \\b}, and a
     * backslash before any other character stands for that character).
     */
    static Rule parse(String line, boolean manySources) {
        int arrow = line.indexOf("=>");
        if (arrow < 0) {
            throw new IllegalArgumentException("rule [" + line + "] has no '=>'");
        }
        String left = line.substring(0, arrow).trim();
        List<String> from = new ArrayList<>();
        for (String part : manySources ? left.split(",") : new String[] {left}) {
            String source = unescape(part.trim());
            if (source.isEmpty()) {
                throw new IllegalArgumentException("rule [" + line + "] maps an empty string");
            }
            from.add(source);
        }
        return new Rule(from, unescape(line.substring(arrow + 2).trim()));
    }

    static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 == text.length()) {
                out.append(c);
                continue;
            }
            char next = text.charAt(++i);
            switch (next) {
                case 'u' -> {
                    if (i + 4 >= text.length()) {
                        throw new IllegalArgumentException("truncated \\u escape in [" + text + "]");
                    }
                    out.append((char) Integer.parseInt(text.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'f' -> out.append('\f');
                case 'b' -> out.append('\b');
                default -> out.append(next);
            }
        }
        return out.toString();
    }
}
