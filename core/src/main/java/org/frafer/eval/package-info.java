/**
 * Evaluation: {@link org.frafer.eval.ConfusionMatrix} (accuracy, balanced accuracy, macro-F1,
 * per-class precision/recall with scikit-learn's zero_division=0 conventions), {@link
 * org.frafer.eval.ClassMap} (model outputs vs dataset labels by class name; AffectNet-7 from an
 * 8-class model), {@link org.frafer.eval.Evaluation} (runs a network over a batch source;
 * per-subject accuracy), {@link org.frafer.eval.EvalReport} (JSON report + confusion CSV/PNG) and
 * {@link org.frafer.eval.ReportComparison} (text/CSV/markdown tables of several reports).
 */
package org.frafer.eval;
