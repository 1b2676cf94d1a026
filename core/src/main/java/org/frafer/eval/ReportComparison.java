package org.frafer.eval;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Side-by-side table of evaluation reports: one row per report with its overall metrics and the
 * recall of every class (union of the reports' classes; blank where a report lacks the class).
 */
public final class ReportComparison {
    public enum Format {
        TEXT,
        CSV,
        MARKDOWN
    }

    private final List<String> header = new ArrayList<>();
    private final List<List<String>> rows = new ArrayList<>();

    public ReportComparison(List<String> names, List<EvalReport> reports) {
        if (names.size() != reports.size()) {
            throw new IllegalArgumentException("names and reports differ in length");
        }
        Set<String> classes = new LinkedHashSet<>();
        for (EvalReport r : reports) {
            if (r.classes != null) {
                classes.addAll(r.classes);
            }
        }
        header.addAll(
                List.of(
                        "report",
                        "dataset",
                        "model",
                        "fusion",
                        "7of8",
                        "n",
                        "accuracy",
                        "balanced_acc",
                        "macro_f1"));
        for (String c : classes) {
            header.add("recall_" + c);
        }
        for (int i = 0; i < reports.size(); i++) {
            EvalReport r = reports.get(i);
            List<String> row = new ArrayList<>();
            row.add(names.get(i));
            row.add(nz(r.dataset) + (r.split == null ? "" : " [" + r.split + "]"));
            row.add(nz(r.model));
            row.add(r.modelConfig == null ? "" : nz(r.modelConfig.fusion));
            row.add(r.sevenFromEight ? "yes" : "no");
            row.add(Long.toString(r.samplesEvaluated));
            row.add(fmt(r.accuracy));
            row.add(fmt(r.balancedAccuracy));
            row.add(fmt(r.macroF1));
            for (String c : classes) {
                Double recall = null;
                if (r.perClass != null) {
                    for (EvalReport.PerClass pc : r.perClass) {
                        if (c.equals(pc.name)) {
                            recall = pc.recall;
                        }
                    }
                }
                row.add(fmt(recall));
            }
            rows.add(row);
        }
    }

    public List<String> header() {
        return header;
    }

    public List<List<String>> rows() {
        return rows;
    }

    public String render(Format format) {
        return switch (format) {
            case CSV -> csv();
            case MARKDOWN -> markdown();
            case TEXT -> text();
        };
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    static String fmt(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    private String csv() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.join(",", header.stream().map(ReportComparison::csvCell).toList()))
                .append('\n');
        for (List<String> row : rows) {
            sb.append(String.join(",", row.stream().map(ReportComparison::csvCell).toList()))
                    .append('\n');
        }
        return sb.toString();
    }

    private static String csvCell(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    private String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| ")
                .append(String.join(" | ", header.stream().map(ReportComparison::mdCell).toList()))
                .append(" |\n");
        sb.append("|").append("---|".repeat(header.size())).append('\n');
        for (List<String> row : rows) {
            sb.append("| ")
                    .append(String.join(" | ", row.stream().map(ReportComparison::mdCell).toList()))
                    .append(" |\n");
        }
        return sb.toString();
    }

    private static String mdCell(String s) {
        return s.replace("|", "\\|");
    }

    private String text() {
        int[] width = new int[header.size()];
        for (int c = 0; c < header.size(); c++) {
            width[c] = header.get(c).length();
            for (List<String> row : rows) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        appendPadded(sb, header, width);
        for (int c = 0; c < header.size(); c++) {
            sb.append("-".repeat(width[c])).append(c + 1 < header.size() ? "  " : "\n");
        }
        for (List<String> row : rows) {
            appendPadded(sb, row, width);
        }
        return sb.toString();
    }

    private static void appendPadded(StringBuilder sb, List<String> cells, int[] width) {
        for (int c = 0; c < cells.size(); c++) {
            String s = cells.get(c);
            sb.append(s).append(" ".repeat(width[c] - s.length()));
            sb.append(c + 1 < cells.size() ? "  " : "\n");
        }
    }
}
