#!/usr/bin/env node
'use strict';
// Peer measurements for FRA-FER: the TF.js emotion models of @vladmandic/human (emotion.json) and
// @vladmandic/face-api (face_expression_model) on the FER+ test split, each with ITS OWN preprocessing,
// scored on the 7 classes they share with FER+ (contempt-labelled images are dropped).
//
//   node ferplus-peers.js --data <data root with ferplus/> [--split Test] [--models human,faceapi]
//        [--assets <repo assets/>] [--out <dir>] [--batch 128] [--limit N] [--backend wasm|cpu]
// The data root may also come from FRAFER_DATA; the assets folder from FRAFER_ASSETS.
const fs = require('fs');
const path = require('path');
const { SEVEN, splitDir, readSplit, readGrey, metrics, writeJsonAtomic } = require('./ferplus');

function parseArgs(argv) {
  const repo = path.resolve(__dirname, '..', '..', '..');
  const opts = {
    data: process.env.FRAFER_DATA || null,
    assets: process.env.FRAFER_ASSETS || path.join(repo, 'assets'),
    out: path.join(repo, 'docs', 'experiments', 'peers'),
    split: 'Test', models: ['human', 'faceapi'], batch: 128, limit: 0, backend: 'wasm',
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === '--data') opts.data = val();
    else if (a === '--assets') opts.assets = val();
    else if (a === '--out') opts.out = val();
    else if (a === '--split') opts.split = val();
    else if (a === '--models') opts.models = val().split(',');
    else if (a === '--batch') opts.batch = parseInt(val(), 10);
    else if (a === '--limit') opts.limit = parseInt(val(), 10);
    else if (a === '--backend') opts.backend = val();
    else if (a === '-h' || a === '--help') { console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(2, 9).join('\n')); process.exit(0); }
    else throw new Error(`unknown argument ${a} (try --help)`);
  }
  if (!opts.data) throw new Error('no data root: pass --data <dir containing ferplus/> or set FRAFER_DATA');
  const unknown = opts.models.filter((m) => !PEERS[m]);
  if (unknown.length) throw new Error(`unknown model(s) ${unknown.join(', ')}; known: ${Object.keys(PEERS).join(', ')}`);
  if (!(opts.batch > 0)) throw new Error('--batch must be a positive integer');
  return opts;
}

function pkgVersion(name) {
  // read from node_modules directly: some packages do not export their package.json
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/** Reads a TF.js graph model (model.json + weight shards) from disk as ModelArtifacts: no network handler. */
function readArtifacts(jsonPath) {
  const dir = path.dirname(jsonPath);
  const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  const weightSpecs = [];
  const buffers = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(buffers);
  return {
    modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy,
    convertedBy: json.convertedBy, userDefinedMetadata: json.userDefinedMetadata, weightSpecs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  };
}

async function loadGraphModelFromDisk(tf, jsonPath) {
  return tf.loadGraphModel({ load: async () => readArtifacts(jsonPath) });
}

/**
 * A peer = how to load it and how to turn a batch of 48x48 grey FER+ images (values 0..255) into
 * class probabilities in the peer's own label order, with the peer's own preprocessing.
 */
const PEERS = {
  human: {
    model: '@vladmandic/human emotion (human-models 3.0.4 models/emotion.json)',
    // Output order of the grey (oarriaga) emotion model, from human 3.3.6 src/gear/emotion.ts.
    labels: ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'],
    toSeven: { angry: 'Anger', disgust: 'Disgust', fear: 'Fear', happy: 'Happiness', sad: 'Sadness', surprise: 'Surprise', neutral: 'Neutral' },
    preprocessing: 'as human 3.3.6 src/gear/emotion.ts (crop option off, the default): face tensor RGB in [0,1] '
      + '(FER+ grey replicated to 3 channels, /255), tf.image.resizeBilinear to 64x64 (alignCorners false), '
      + 'grey = sum(rgb * [0.2989, 0.5870, 0.1140]), (grey - 0.5) * 2; model output is already softmax',
    async load(tf, assets) {
      const file = path.join(assets, 'human-models', 'models', 'emotion.json');
      if (!fs.existsSync(file)) throw new Error(`${file} not found (run tools/fetch-assets.sh or pass --assets)`);
      this.net = await loadGraphModelFromDisk(tf, file);
      const shape = this.net.inputs[0].shape;
      if (shape[3] !== 1) throw new Error(`${file}: expected a grey (1-channel) input, model input shape is ${shape}`);
      this.size = shape[2];
    },
    predict(tf, greyBatch) { // [B,48,48,1] float 0..255
      return tf.tidy(() => this.predictRgb01(tf, tf.tile(tf.div(greyBatch, 255), [1, 1, 1, 3])));
    },
    predictRgb01(tf, rgb01) { // [B,H,W,3] in [0,1]: the face tensor human's emotion module receives
      return tf.tidy(() => {
        const resized = tf.image.resizeBilinear(rgb01, [this.size, this.size], false);
        const grey = tf.sum(tf.mul(resized, tf.tensor1d([0.2989, 0.5870, 0.1140], 'float32')), 3, true);
        return this.net.execute(tf.mul(tf.sub(grey, 0.5), 2));
      });
    },
  },
  faceapi: {
    model: '@vladmandic/face-api 1.7.15 FaceExpressionNet (model/face_expression_model)',
    labels: null, // taken from the package: FACE_EXPRESSION_LABELS
    toSeven: { neutral: 'Neutral', happy: 'Happiness', sad: 'Sadness', angry: 'Anger', fearful: 'Fear', disgusted: 'Disgust', surprised: 'Surprise' },
    preprocessing: 'face-api\'s own FaceExpressionNet.forwardInput (the package code runs): RGB 0..255 tensor '
      + '(FER+ grey replicated to 3 channels), padToSquare (no-op), tf.image.resizeBilinear to 112x112 '
      + '(alignCorners false), minus mean RGB [122.782, 117.001, 104.298], /255; softmax',
    async load(tf, assets, faceapi) {
      const dir = path.join(assets, 'face-api', 'model');
      if (!fs.existsSync(path.join(dir, 'face_expression_model-weights_manifest.json'))) {
        throw new Error(`${dir}: face_expression_model-weights_manifest.json not found (run tools/fetch-assets.sh or pass --assets)`);
      }
      await faceapi.nets.faceExpressionNet.loadFromDisk(dir);
      this.net = faceapi.nets.faceExpressionNet;
      this.labels = [...faceapi.FACE_EXPRESSION_LABELS];
      this.faceapi = faceapi;
    },
    async predictAsync(tf, greyBatch) {
      const rgb = tf.tile(greyBatch, [1, 1, 1, 3]);
      const singles = tf.unstack(rgb); // NetInput takes a list of 3D tensors, one per face
      const input = await this.faceapi.toNetInput(singles);
      const out = this.net.forwardInput(input);
      tf.dispose([rgb, ...singles]);
      return out;
    },
  },
};

async function main() {
  const opts = parseArgs(process.argv);
  // face-api's node-wasm build loads @tensorflow/tfjs + the wasm backend; human's tfjs is the same module.
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const tf = faceapi.tf;
  if (opts.backend === 'wasm') {
    // the .wasm binaries ship inside the npm package; point the backend at them on disk
    tf.setWasmPaths(`${path.join(__dirname, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist')}/`);
  }
  if (!(await tf.setBackend(opts.backend))) throw new Error(`TF.js backend ${opts.backend} could not be initialised`);
  await tf.ready();

  const dir = splitDir(opts.data, opts.split);
  const { samples: all, counts } = readSplit(dir);
  const samples = opts.limit > 0 ? all.slice(0, opts.limit) : all;
  console.error(`FER+ ${opts.split}: ${all.length} images with a 7-class majority label (label counts ${JSON.stringify(counts)}); evaluating ${samples.length}`);
  const images = samples.map((s) => {
    const img = readGrey(s.file);
    if (img.width !== 48 || img.height !== 48) throw new Error(`${s.file}: expected 48x48, got ${img.width}x${img.height}`);
    return img.grey;
  });
  const labels = samples.map((s) => s.label);

  for (const key of opts.models) {
    const peer = PEERS[key];
    await peer.load(tf, opts.assets, faceapi);
    const toSevenIndex = peer.labels.map((l) => {
      const idx = SEVEN.indexOf(peer.toSeven[l]);
      if (idx < 0) throw new Error(`${key}: no FER+ class for label ${l}`);
      return idx;
    });
    const preds = [];
    const start = process.hrtime.bigint();
    for (let b = 0; b < images.length; b += opts.batch) {
      const chunk = images.slice(b, b + opts.batch);
      const flat = new Float32Array(chunk.length * 48 * 48);
      chunk.forEach((g, i) => flat.set(g, i * 48 * 48));
      const x = tf.tensor4d(flat, [chunk.length, 48, 48, 1]);
      const probs = peer.predictAsync ? await peer.predictAsync(tf, x) : peer.predict(tf, x);
      if (probs.shape[1] !== peer.labels.length) throw new Error(`${key}: model gave ${probs.shape[1]} outputs, expected ${peer.labels.length}`);
      const argmax = await tf.argMax(probs, 1).data();
      argmax.forEach((a) => preds.push(toSevenIndex[a]));
      tf.dispose([x, probs]);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const m = metrics(labels, preds, SEVEN);
    const report = {
      model: peer.model,
      dataset: `FER+ FER2013${opts.split} (majority rule, contempt-labelled images dropped)${opts.limit > 0 ? `, first ${opts.limit}` : ''}`,
      classes: SEVEN,
      n: m.n,
      accuracy: m.accuracy,
      balancedAccuracy: m.balancedAccuracy,
      macroF1: m.macroF1,
      perClass: m.perClass,
      confusion: m.confusion,
      confusionAxes: 'rows = true class, columns = predicted class, both in `classes` order',
      peerLabels: peer.labels,
      labelMap: peer.toSeven,
      preprocessing: peer.preprocessing,
      labelRule: 'FER+ ferplus.py majority: drop votes of 1; keep top class if > half of remaining votes and not unknown/not-a-face',
      runtime: {
        backend: tf.getBackend(), node: process.version, seconds, imagesPerSecond: m.n / seconds, batch: opts.batch,
        packages: Object.fromEntries(['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@vladmandic/face-api', '@vladmandic/human']
          .map((p) => [p, pkgVersion(p)])),
      },
    };
    const out = path.join(opts.out, `ferplus-${opts.split.toLowerCase()}-${key}.json`);
    writeJsonAtomic(out, report);
    console.log(JSON.stringify({ model: key, n: m.n, accuracy: m.accuracy, balancedAccuracy: m.balancedAccuracy, macroF1: m.macroF1, seconds, report: out }));
  }
}

module.exports = { PEERS, readArtifacts, loadGraphModelFromDisk };

if (require.main === module) {
  main().catch((err) => { console.error(`ferplus-peers: ${err.message}`); process.exit(1); });
}
