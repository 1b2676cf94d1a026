#!/usr/bin/env node
'use strict';
// Throughput of the end-to-end photo pipeline of @vladmandic/human (BlazeFace detection + emotion) on
// the TF.js wasm backend in Node, on the sample group photos; peer figure for FRA-FER's Java pipeline.
// Models load from disk (a file:// load router registered with TF.js); nothing is fetched from a network.
//
//   node tfjs-pipeline.js [--assets <repo assets/>] [--images a.jpg,b.jpg | --samples-dir dir]
//        [--detector blazeface-back] [--backend wasm|cpu] [--warmup 2] [--reps 5] [--max-faces 100]
// Prints one JSON object per line and case: "detect+emotion" (decoded RGB tensors in) and
// "decode+detect+emotion" (JPEG bytes in memory -> jpeg-js decode -> Human).
const fs = require('fs');
const path = require('path');
const jpeg = require('jpeg-js');

function parseArgs(argv) {
  const repo = path.resolve(__dirname, '..', '..', '..');
  const opts = {
    assets: process.env.FRAFER_ASSETS || path.join(repo, 'assets'), images: null, samplesDir: null,
    detector: 'blazeface-back', backend: 'wasm', warmup: 2, reps: 5, maxFaces: 100, minConfidence: 0.2,
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === '--assets') opts.assets = val();
    else if (a === '--images') opts.images = val().split(',');
    else if (a === '--samples-dir') opts.samplesDir = val();
    else if (a === '--detector') opts.detector = val();
    else if (a === '--backend') opts.backend = val();
    else if (a === '--warmup') opts.warmup = parseInt(val(), 10);
    else if (a === '--reps') opts.reps = parseInt(val(), 10);
    else if (a === '--max-faces') opts.maxFaces = parseInt(val(), 10);
    else if (a === '--min-confidence') opts.minConfidence = parseFloat(val());
    else if (a === '-h' || a === '--help') { console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(2, 11).join('\n')); process.exit(0); }
    else throw new Error(`unknown argument ${a} (try --help)`);
  }
  if (!(opts.reps >= 1) || !(opts.warmup >= 0)) throw new Error('--reps must be >= 1 and --warmup >= 0');
  if (!opts.images) {
    const dir = opts.samplesDir || path.join(opts.assets, 'samples');
    if (!fs.existsSync(dir)) throw new Error(`${dir} not found (run tools/fetch-assets.sh, pass --assets or --images)`);
    opts.images = fs.readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort().map((f) => path.join(dir, f));
    if (!opts.images.length) throw new Error(`${dir}: no .jpg images`);
  }
  return opts;
}

/** TF.js without tfjs-node has no file:// handler: read model.json and its shards from disk. */
function fileLoadRouter(url) {
  if (typeof url !== 'string' || !url.startsWith('file://')) return null;
  const jsonPath = url.slice('file://'.length);
  return {
    load: async () => {
      if (!fs.existsSync(jsonPath)) throw new Error(`model ${jsonPath} not found`);
      const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
      const weightSpecs = []; const buffers = [];
      for (const group of json.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) buffers.push(fs.readFileSync(path.join(path.dirname(jsonPath), p)));
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy,
        convertedBy: json.convertedBy, userDefinedMetadata: json.userDefinedMetadata, weightSpecs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}

function decodeToTensor(tf, bytes, name) {
  let img;
  try {
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  } catch (err) {
    throw new Error(`${name}: cannot decode JPEG: ${err.message}`);
  }
  return tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
}

function pkgVersion(name) {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', name, 'package.json'), 'utf8')).version;
}

function summary(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { min: s[0], median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, max: s[s.length - 1] };
}

async function main() {
  const opts = parseArgs(process.argv);
  const tf = require('@tensorflow/tfjs');
  require('@tensorflow/tfjs-backend-wasm');
  tf.io.registerLoadRouter(fileLoadRouter);
  const { Human } = require(path.join(__dirname, 'node_modules', '@vladmandic', 'human', 'dist', 'human.node-wasm.js')); // its "exports" map has no valid subpath for this build;
  const modelDir = path.join(opts.assets, 'human-models', 'models');
  const human = new Human({
    backend: opts.backend,
    wasmPath: `${path.join(__dirname, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist')}/`,
    modelBasePath: `file://${modelDir}/`,
    cacheModels: false, debug: false, async: false, warmup: 'none',
    cacheSensitivity: 0, skipAllowed: false, // every call runs the full pipeline (no frame cache)
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { modelPath: `${opts.detector}.json`, rotation: false, maxDetected: opts.maxFaces, minConfidence: opts.minConfidence, skipFrames: 0, skipTime: 0 },
      mesh: { enabled: false }, iris: { enabled: false }, attention: { enabled: false },
      description: { enabled: false }, antispoof: { enabled: false }, liveness: { enabled: false },
      emotion: { enabled: true, skipFrames: 0, skipTime: 0 },
    },
    body: { enabled: false }, hand: { enabled: false }, object: { enabled: false },
    gesture: { enabled: false }, segmentation: { enabled: false },
  });
  await human.init();
  await human.load();
  if (human.tf.getBackend() !== opts.backend) throw new Error(`backend ${opts.backend} not active (got ${human.tf.getBackend()})`);
  const loaded = Object.entries(human.models.models || {}).filter(([, m]) => m).map(([k]) => k);

  const files = opts.images.map((f) => ({ name: path.basename(f), bytes: fs.readFileSync(f) }));
  const tensors = files.map((f) => decodeToTensor(tf, f.bytes, f.name));
  const perImage = [];
  const common = {
    framework: `tfjs-${opts.backend}`, pipeline: `@vladmandic/human ${opts.detector} + emotion`,
    node: process.version, images: files.length, warmup: opts.warmup, reps: opts.reps,
    packages: Object.fromEntries(['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@vladmandic/human', 'jpeg-js'].map((p) => [p, pkgVersion(p)])),
    wasm: opts.backend === 'wasm' ? { simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') } : null,
    modelsLoaded: loaded,
  };

  const cases = {
    'detect+emotion': async (i) => human.detect(tensors[i]),
    'decode+detect+emotion': async (i) => {
      const t = decodeToTensor(tf, files[i].bytes, files[i].name);
      try { return await human.detect(t); } finally { tf.dispose(t); }
    },
  };
  for (const [name, run] of Object.entries(cases)) {
    const onePass = async (record) => {
      let faces = 0;
      for (let i = 0; i < files.length; i++) {
        const res = await run(i);
        if (res.error) throw new Error(`${files[i].name}: human.detect failed: ${res.error}`);
        faces += res.face.length;
        if (record) perImage.push({ image: files[i].name, faces: res.face.length, emotions: res.face.map((f) => f.emotion?.[0]?.emotion || null) });
      }
      return faces;
    };
    for (let w = 0; w < opts.warmup; w++) await onePass(w === 0 && name === 'detect+emotion');
    const facesPerSecond = []; const imagesPerSecond = []; let facesPerPass = 0;
    for (let r = 0; r < opts.reps; r++) {
      const t0 = process.hrtime.bigint();
      const faces = await onePass(false);
      const sec = Number(process.hrtime.bigint() - t0) / 1e9;
      facesPerPass = faces;
      facesPerSecond.push(faces / sec); imagesPerSecond.push(files.length / sec);
    }
    console.log(JSON.stringify({
      ...common, case: name, facesPerPass,
      facesPerSecond: summary(facesPerSecond), imagesPerSecond: summary(imagesPerSecond),
      tensorsAlive: tf.memory().numTensors,
    }));
  }
  console.error(`tfjs-pipeline: faces per image ${JSON.stringify(perImage)}`);
  tf.dispose(tensors);
}

main().catch((err) => { console.error(`tfjs-pipeline: ${err.stack || err.message}`); process.exit(1); });
