'use strict';
// FER+ reading and the official "majority" label rule, plus the metrics of a 7-class evaluation.
// Shared by ferplus-peers.js; no TF.js here so it can be checked on its own.
const fs = require('fs');
const path = require('path');
const { PNG } = require('pngjs');

/** FER+ vote columns, in label.csv order. */
const VOTE_NAMES = ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear', 'contempt', 'unknown', 'not-a-face'];
/** Our canonical 7-class order (HSEmotion / AffectNet-7 = AffectNet-8 without Contempt). */
const SEVEN = ['Anger', 'Disgust', 'Fear', 'Happiness', 'Neutral', 'Sadness', 'Surprise'];
const VOTE_TO_CLASS = {
  neutral: 'Neutral', happiness: 'Happiness', surprise: 'Surprise', sadness: 'Sadness',
  anger: 'Anger', disgust: 'Disgust', fear: 'Fear', contempt: 'Contempt',
};

/**
 * FER+ majority rule (Microsoft FER+ ferplus.py, mode "majority"): votes of 1 are dropped as outliers,
 * the top class is kept only if it has more than half of the remaining votes and is a real emotion
 * (not unknown / not-a-face). Returns the FER+ vote name or null when the image is excluded.
 */
function majorityLabel(votes) {
  const kept = votes.map((v) => (v <= 1 ? 0 : v));
  const sum = kept.reduce((a, b) => a + b, 0);
  if (sum === 0) return null;
  let top = 0;
  for (let i = 1; i < kept.length; i++) if (kept[i] > kept[top]) top = i;
  if (!(kept[top] > 0.5 * sum)) return null;
  const name = VOTE_NAMES[top];
  return (name === 'unknown' || name === 'not-a-face') ? null : name;
}

/** Resolves the FER+ split folder from a data root (containing ferplus/) or the ferplus folder itself. */
function splitDir(dataRoot, split) {
  const candidates = [path.join(dataRoot, 'ferplus', `FER2013${split}`), path.join(dataRoot, `FER2013${split}`)];
  const found = candidates.find((d) => fs.existsSync(path.join(d, 'label.csv')));
  if (!found) throw new Error(`FER+ split ${split} not found: no label.csv in ${candidates.join(' or ')}`);
  return found;
}

/**
 * Reads label.csv of a split and applies the majority rule; keeps only images whose label is one of
 * the 7 shared classes (contempt-labelled images are dropped, as the peers have no contempt output).
 * Returns { samples: [{file, label (index in SEVEN)}], counts }.
 */
function readSplit(dir) {
  const csv = path.join(dir, 'label.csv');
  const lines = fs.readFileSync(csv, 'utf8').split(/\r?\n/);
  const samples = [];
  const counts = { excluded: 0 };
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    // name,"(x, y, w, h)",v0,...,v9 -- the box contains commas, so take the name and the last 10 fields
    const fields = line.split(',');
    const name = fields[0].trim();
    const votes = fields.slice(-10).map(Number);
    if (fields.length < 12 || votes.some((v) => !Number.isFinite(v) || v < 0)) {
      throw new Error(`${csv}: row ${i + 1}: expected image name, box and 10 non-negative vote counts, got "${line}"`);
    }
    const vote = majorityLabel(votes);
    if (vote === null) { counts.excluded++; return; }
    const cls = VOTE_TO_CLASS[vote];
    counts[cls] = (counts[cls] || 0) + 1;
    if (cls === 'Contempt') return;
    samples.push({ file: path.join(dir, name), label: SEVEN.indexOf(cls) });
  });
  return { samples, counts };
}

/** Decodes a PNG to a grey Uint8Array (R channel of the decoded RGBA; FER+ images are grey). */
function readGrey(file) {
  let png;
  try {
    png = PNG.sync.read(fs.readFileSync(file));
  } catch (err) {
    throw new Error(`${file}: cannot read PNG: ${err.message}`);
  }
  const grey = new Uint8Array(png.width * png.height);
  for (let i = 0; i < grey.length; i++) {
    const r = png.data[4 * i]; const g = png.data[4 * i + 1]; const b = png.data[4 * i + 2];
    if (r !== g || g !== b) throw new Error(`${file}: expected a grey image, pixel ${i} is (${r}, ${g}, ${b})`);
    grey[i] = r;
  }
  return { width: png.width, height: png.height, grey };
}

/** Accuracy, balanced accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix. */
function metrics(labels, preds, classes) {
  const k = classes.length;
  const confusion = Array.from({ length: k }, () => new Array(k).fill(0)); // rows = true, cols = predicted
  labels.forEach((t, i) => { confusion[t][preds[i]]++; });
  const n = labels.length;
  let correct = 0;
  const perClass = {};
  let recallSum = 0; let f1Sum = 0;
  for (let c = 0; c < k; c++) {
    correct += confusion[c][c];
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c], 0);
    const recall = support ? confusion[c][c] / support : 0;
    const precision = predicted ? confusion[c][c] / predicted : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[classes[c]] = { support, precision, recall, f1 };
    recallSum += recall; f1Sum += f1;
  }
  return { n, accuracy: correct / n, balancedAccuracy: recallSum / k, macroF1: f1Sum / k, perClass, confusion };
}

/** Writes JSON through a temp file and a rename, so an existing report is never left half-written. */
function writeJsonAtomic(file, obj) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${JSON.stringify(obj, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

module.exports = { VOTE_NAMES, SEVEN, majorityLabel, splitDir, readSplit, readGrey, metrics, writeJsonAtomic };
