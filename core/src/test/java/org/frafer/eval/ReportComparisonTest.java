package org.frafer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.frafer.model.ModelConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ReportComparisonTest {
    static EvalReport report(String fusion, long[][] counts, List<String> classes) {
        Evaluation ev = new Evaluation(classes);
        for (int t = 0; t < counts.length; t++) {
            for (int p = 0; p < counts.length; p++) {
                for (long i = 0; i < counts[t][p]; i++) {
                    ev.confusion.add(t, p);
                }
            }
        }
        ev.samplesSeen = ev.confusion.total();
        ModelConfig mc = new ModelConfig();
        mc.fusion = fusion;
        return EvalReport.from(ev, "ferplus", "test", "m-" + fusion, mc, false, List.of());
    }

    @Test
    void tableInThreeFormats() {
        EvalReport a = report("none", new long[][] {{3, 1}, {0, 4}}, List.of("Anger", "Happiness"));
        EvalReport b =
                report(
                        "fra",
                        new long[][] {{2, 0, 0}, {1, 1, 0}, {0, 0, 0}},
                        List.of("Anger", "Happiness", "Surprise"));
        ReportComparison cmp = new ReportComparison(List.of("a.json", "b.json"), List.of(a, b));
        assertEquals(
                List.of(
                        "report",
                        "dataset",
                        "model",
                        "fusion",
                        "7of8",
                        "n",
                        "accuracy",
                        "balanced_acc",
                        "macro_f1",
                        "recall_Anger",
                        "recall_Happiness",
                        "recall_Surprise"),
                cmp.header());
        // a: acc 7/8, recall Anger 3/4, Happiness 1 -> balanced 0.875; F1 Anger 2*1*0.75/1.75 =
        // 0.857142..., Happiness 2*0.8*1/1.8 = 0.888...
        assertEquals(
                List.of(
                        "a.json",
                        "ferplus [test]",
                        "m-none",
                        "none",
                        "no",
                        "8",
                        "0.8750",
                        "0.8750",
                        "0.8730",
                        "0.7500",
                        "1.0000",
                        ""),
                cmp.rows().get(0));
        // b: acc 3/4, recall Anger 1, Happiness 0.5, Surprise undefined (blank)
        assertEquals(
                List.of(
                        "b.json",
                        "ferplus [test]",
                        "m-fra",
                        "fra",
                        "no",
                        "4",
                        "0.7500",
                        "0.7500",
                        "0.7333",
                        "1.0000",
                        "0.5000",
                        ""),
                cmp.rows().get(1));
        String csv = cmp.render(ReportComparison.Format.CSV);
        assertEquals(
                "a.json,ferplus [test],m-none,none,no,8,0.8750,0.8750,0.8730,0.7500,1.0000,",
                csv.split("\n")[1]);
        String md = cmp.render(ReportComparison.Format.MARKDOWN);
        assertEquals("|---|---|---|---|---|---|---|---|---|---|---|---|", md.split("\n")[1]);
        String text = cmp.render(ReportComparison.Format.TEXT);
        String[] lines = text.split("\n");
        assertEquals(4, lines.length);
        // columns line up: "accuracy" starts at the same offset in the header and the rows
        int col = lines[0].indexOf("accuracy");
        assertEquals("0.8750", lines[2].substring(col, col + 6));
        assertEquals("0.7500", lines[3].substring(col, col + 6));
    }
}
