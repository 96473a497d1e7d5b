package dev.spikebit.runtime.io;

import java.util.regex.Pattern;

/**
 * Error messages as one line. A message often quotes what a file holds (a tensor name, a metadata
 * value, the character after a backslash), and a file can hold any character: a newline among
 * them would break the one line a user reads, and a carriage return could overwrite it. The
 * project's user-facing exceptions pass their messages through {@link #of}.
 */
public final class OneLine {
    private static final Pattern LINE_BREAK = Pattern.compile("\\s*\\R\\s*");

    private OneLine() {}

    /** {@code text} with every control character and line or paragraph separator written as {@code \\uXXXX}. */
    public static String of(String text) {
        if (text == null || text.chars().noneMatch(OneLine::breaksTheLine)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (breaksTheLine(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * A library's message that spans lines (a parser's excerpt, a list of causes) as one line: each
     * line break, with the blanks around it, becomes one space. Null stays null.
     */
    public static String folded(String message) {
        return message == null ? null : LINE_BREAK.matcher(message.strip()).replaceAll(" ");
    }

    /**
     * Only the first line of {@code message}, for libraries whose messages can run to pages (Hadoop
     * appends whole configurations). Null stays null.
     */
    public static String firstLine(String message) {
        if (message == null) {
            return null;
        }
        return LINE_BREAK.split(message.strip(), 2)[0];
    }

    private static boolean breaksTheLine(int c) {
        return Character.isISOControl(c) || c == 0x2028 || c == 0x2029;
    }
}
