'use strict';
// node --test: the FER+ majority rule (checked against rows of the real FER2013Test/label.csv, worked by
// hand) and the metrics on a small confusion whose values are computed by hand.
const test = require('node:test');
const assert = require('node:assert');
const { majorityLabel, metrics } = require('./ferplus');

test('majority rule drops single votes and needs more than half of the rest', () => {
  // fer0032220: 2 anger, 1 disgust, 7 contempt -> (1 dropped) 7 of 9 -> contempt
  assert.strictEqual(majorityLabel([0, 0, 0, 0, 2, 1, 0, 7, 0, 0]), 'contempt');
  // fer0032222: 3 neutral, 5 sadness, 2 unknown -> 5 of 10 is not more than half -> excluded
  assert.strictEqual(majorityLabel([3, 0, 0, 5, 0, 0, 0, 0, 2, 0]), null);
  // fer0032223: 6 neutral, 1 surprise, 2 sadness, 1 unknown -> 6 of 8 -> neutral
  assert.strictEqual(majorityLabel([6, 0, 1, 2, 0, 0, 0, 0, 1, 0]), 'neutral');
  assert.strictEqual(majorityLabel([0, 0, 0, 0, 0, 0, 0, 0, 8, 2]), null, 'unknown majority is excluded');
  assert.strictEqual(majorityLabel([0, 0, 0, 0, 0, 0, 0, 0, 2, 8]), null, 'not-a-face majority is excluded');
  assert.strictEqual(majorityLabel([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), null, 'only single votes: nothing left');
});

test('metrics: accuracy, balanced accuracy, macro-F1 and confusion orientation', () => {
  // true: A A A B ; predicted: A A B B  (classes A, B)
  const m = metrics([0, 0, 0, 1], [0, 0, 1, 1], ['A', 'B']);
  assert.deepStrictEqual(m.confusion, [[2, 1], [0, 1]]);
  assert.strictEqual(m.accuracy, 0.75);
  assert.strictEqual(m.balancedAccuracy, (2 / 3 + 1) / 2);
  const f1A = (2 * 1 * (2 / 3)) / (1 + 2 / 3); const f1B = (2 * 0.5 * 1) / 1.5;
  assert.ok(Math.abs(m.macroF1 - (f1A + f1B) / 2) < 1e-12);
  assert.strictEqual(m.perClass.B.precision, 0.5);
  assert.strictEqual(m.perClass.A.support, 3);
});
