package dev.spikebit.quant.report;

import java.util.ArrayList;
import java.util.List;

/** A plain text table with columns padded to their widest cell; numbers are right-aligned. */
final class TextTable {
    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    TextTable(String... header) {
        this.header = header;
    }

    void row(String... cells) {
        if (cells.length != header.length) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, the table " + header.length);
        }
        rows.add(cells);
    }

    String render() {
        int[] width = new int[header.length];
        for (int c = 0; c < header.length; c++) {
            width[c] = header[c].length();
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        var out = new StringBuilder();
        line(out, header, width);
        int total = 0;
        for (int w : width) {
            total += w + 2;
        }
        out.append("-".repeat(Math.max(0, total - 2))).append('\n');
        for (String[] r : rows) {
            line(out, r, width);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String[] cells, int[] width) {
        var line = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            String cell = cells[c];
            String pad = " ".repeat(width[c] - cell.length());
            line.append(numeric(cell) ? pad + cell : cell + pad);
            if (c < cells.length - 1) {
                line.append("  ");
            }
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    private static boolean numeric(String cell) {
        return !cell.isEmpty()
                && (Character.isDigit(cell.charAt(0)) || cell.charAt(0) == '-' && cell.length() > 1)
                && !cell.startsWith("[");
    }

    /** A byte count in B, KiB or MiB. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format("%.1f KiB", n / 1024.0);
        }
        return String.format("%.2f MiB", n / (1024.0 * 1024.0));
    }
}
