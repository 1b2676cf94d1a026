#!/usr/bin/env node
'use strict';
// Checks that ferplus-peers.js replicates @vladmandic/human's emotion preprocessing: runs the real
// Human 3.3.6 pipeline (BlazeFace + emotion, detector.return = true so the face crop comes back) on
// the sample photos, feeds each returned crop to our replica and compares the 7 scores with Human's
// (Human reports floor(100 p) / 100, capped at 0.99). Exit code 1 on any mismatch.
//
//   node check-human-emotion.js [--assets <repo assets/>]
const fs = require('fs');
const path = require('path');

async function main() {
  const repo = path.resolve(__dirname, '..', '..', '..');
  const argAssets = process.argv.indexOf('--assets');
  const assets = argAssets > 0 ? process.argv[argAssets + 1] : (process.env.FRAFER_ASSETS || path.join(repo, 'assets'));
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js'); // brings @tensorflow/tfjs + wasm
  const tf = faceapi.tf;
  const { PEERS, readArtifacts } = require('./ferplus-peers');
  const wasmDir = `${path.join(__dirname, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist')}/`;
  tf.io.registerLoadRouter((url) => {
    if (typeof url !== 'string' || !url.startsWith('file://')) return null;
    return { load: async () => readArtifacts(url.slice('file://'.length)) };
  });
  const { Human } = require(path.join(__dirname, 'node_modules', '@vladmandic', 'human', 'dist', 'human.node-wasm.js'));
  const human = new Human({
    backend: 'wasm', wasmPath: wasmDir, modelBasePath: `file://${path.join(assets, 'human-models', 'models')}/`,
    cacheModels: false, warmup: 'none', cacheSensitivity: 0, filter: { enabled: false }, debug: false,
    face: {
      detector: { modelPath: 'blazeface-back.json', maxDetected: 100, return: true, rotation: false },
      mesh: { enabled: false }, iris: { enabled: false }, attention: { enabled: false }, description: { enabled: false },
      antispoof: { enabled: false }, liveness: { enabled: false }, emotion: { enabled: true, minConfidence: 0 },
    },
    body: { enabled: false }, hand: { enabled: false }, object: { enabled: false }, gesture: { enabled: false }, segmentation: { enabled: false },
  });
  await human.load();
  const replica = PEERS.human;
  await replica.load(tf, assets);

  const jpeg = require('jpeg-js');
  const dir = path.join(assets, 'samples');
  let faces = 0; let worst = 0; let argmaxAgree = 0;
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.jpg')).sort()) {
    const img = jpeg.decode(fs.readFileSync(path.join(dir, f)), { useTArray: true, formatAsRGBA: false });
    const input = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
    const res = await human.detect(input);
    for (const face of res.face) {
      const probs = replica.predictRgb01(tf, tf.expandDims(face.tensor, 0));
      const p = await probs.data();
      const ours = Object.fromEntries(replica.labels.map((l, i) => [l, Math.min(0.99, Math.trunc(100 * p[i]) / 100)]));
      const theirs = Object.fromEntries(face.emotion.map((e) => [e.emotion, e.score]));
      for (const l of replica.labels) worst = Math.max(worst, Math.abs((theirs[l] || 0) - ours[l]));
      // Human sorts its truncated scores, so a tie may put another label first: compare scores
      const topOurs = replica.labels[p.indexOf(Math.max(...p))];
      if (theirs[topOurs] === face.emotion[0].score) argmaxAgree++;
      faces++;
      if (faces === 1) console.error(`check-human-emotion: first face ${JSON.stringify({ human: theirs, replica: ours, backend: tf.getBackend(), crop: face.tensor.shape })}`);
      tf.dispose([probs, face.tensor]);
    }
    tf.dispose(input);
  }
  const ok = faces > 0 && worst <= 0.0100001 && argmaxAgree === faces;
  console.log(JSON.stringify({ faces, maxScoreDifference: worst, topEmotionAgrees: argmaxAgree, ok }));
  if (!ok) process.exit(1);
}

main().catch((err) => { console.error(`check-human-emotion: ${err.stack || err.message}`); process.exit(1); });
