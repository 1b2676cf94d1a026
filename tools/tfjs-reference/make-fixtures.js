// Writes the TensorFlow.js reference fixtures for the Java parity tests (org.frafer.faces.*ParityTest).
// Run:  cd tools/tfjs-reference && npm install && node make-fixtures.js
// Reads the models and sample photos from ../../assets (tools/fetch-assets.sh), writes into
// ../../core/src/test/resources/fixtures/faces. Deterministic; never used at run time.
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const jpeg = require('jpeg-js');

const ROOT = path.resolve(__dirname, '../..');
const ASSETS = process.env.FRAFER_ASSETS || path.join(ROOT, 'assets');
const MODELS = path.join(ASSETS, 'human-models/models');
const OUT = path.join(ROOT, 'core/src/test/resources/fixtures/faces');
const CROP = 160; // side of the stored face crops (the FR models resize them to 224/112 themselves)

async function loadGraph(name) {
  const file = path.join(MODELS, name + '.json');
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  const specs = [];
  const buffers = [];
  for (const g of j.weightsManifest) {
    specs.push(...g.weights);
    for (const p of g.paths) buffers.push(fs.readFileSync(path.join(MODELS, p)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.loadGraphModel({ load: async () => ({
    modelTopology: j.modelTopology, weightSpecs: specs, weightData, format: j.format,
    generatedBy: j.generatedBy, convertedBy: j.convertedBy, signature: j.signature, userDefinedMetadata: j.userDefinedMetadata,
  }) });
}

function readJpeg(file) { // -> int32 tensor [H, W, 3] with values 0..255
  const img = jpeg.decode(fs.readFileSync(file), { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
  const rgb = new Float32Array(img.width * img.height * 3);
  for (let i = 0, j = 0; i < img.width * img.height; i++) {
    rgb[j++] = img.data[4 * i]; rgb[j++] = img.data[4 * i + 1]; rgb[j++] = img.data[4 * i + 2];
  }
  return tf.tensor3d(rgb, [img.height, img.width, 3]);
}

// Letterbox: pad to a centred square with black (floor of the margin before, the rest after), then
// TF's legacy bilinear resize to size x size. Returns [1, size, size, 3] in 0..255 and the geometry.
function letterbox(img, size) {
  const [h, w] = img.shape;
  const side = Math.max(w, h);
  const padX = Math.floor((side - w) / 2);
  const padY = Math.floor((side - h) / 2);
  return tf.tidy(() => {
    const padded = tf.pad(img, [[padY, side - h - padY], [padX, side - w - padX], [0, 0]]);
    const resized = tf.image.resizeBilinear(padded.expandDims(0), [size, size], false, false);
    return { tensor: resized, side, padX, padY };
  });
}

function anchors(size) { // BlazeFace SSD anchors in input pixels: 2 per cell at stride size/16, 6 at size/8
  const out = [];
  for (const [stride, n] of [[size / 16, 2], [size / 8, 6]]) {
    const cells = Math.ceil(size / stride);
    for (let y = 0; y < cells; y++) for (let x = 0; x < cells; x++) for (let k = 0; k < n; k++) out.push([stride * (x + 0.5), stride * (y + 0.5)]);
  }
  return out;
}

async function blazeRaw(model, input01) { // input [1,S,S,3] in 0..255 -> Float32Array [896 * 17]
  const outs = tf.tidy(() => model.execute(tf.sub(tf.div(input01, 127.5), 1)));
  const sorted = outs.slice().sort((a, b) => a.size - b.size); // 384x1, 512x1, 384x16, 512x16
  const batch = tf.tidy(() => tf.concat([tf.concat([sorted[1], sorted[3]], 2), tf.concat([sorted[0], sorted[2]], 2)], 1).squeeze([0]));
  const data = await batch.data();
  tf.dispose([...outs, batch]);
  return data;
}

function iou(a, b) {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

// Decoding and MediaPipe-style weighted NMS (a cluster of boxes overlapping the best one by IoU > 0.3 is
// replaced by their score-weighted mean), in original image pixels.
function decode(raw, size, geo, minScore) {
  const anc = anchors(size);
  const scale = geo.side / size;
  const dets = [];
  for (let i = 0; i < anc.length; i++) {
    const r = raw.subarray(i * 17, i * 17 + 17);
    const score = 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, r[0]))));
    if (score < minScore) continue;
    const cx = r[1] + anc[i][0]; const cy = r[2] + anc[i][1];
    const box = [cx - r[3] / 2, cy - r[4] / 2, cx + r[3] / 2, cy + r[4] / 2];
    const kps = [];
    for (let k = 0; k < 6; k++) kps.push([r[5 + 2 * k] + anc[i][0], r[6 + 2 * k] + anc[i][1]]);
    dets.push({ score, box, kps });
  }
  dets.sort((a, b) => b.score - a.score);
  let remaining = dets;
  const faces = [];
  while (remaining.length > 0) {
    const top = remaining[0];
    const cluster = remaining.filter((d) => iou(top.box, d.box) > 0.3);
    remaining = remaining.filter((d) => iou(top.box, d.box) <= 0.3);
    const total = cluster.reduce((s, d) => s + d.score, 0);
    const box = [0, 1, 2, 3].map((c) => cluster.reduce((s, d) => s + d.score * d.box[c], 0) / total);
    const kps = top.kps.map((_, k) => [0, 1].map((c) => cluster.reduce((s, d) => s + d.score * d.kps[k][c], 0) / total));
    const toImg = (x, y) => [x * scale - geo.padX, y * scale - geo.padY];
    const [x1, y1] = toImg(box[0], box[1]);
    const [x2, y2] = toImg(box[2], box[3]);
    faces.push({ x: x1, y: y1, width: x2 - x1, height: y2 - y1, score: top.score, keypoints: kps.map((p) => toImg(p[0], p[1])) });
  }
  return faces;
}

function writeF32(name, data) {
  fs.writeFileSync(path.join(OUT, name), Buffer.from(new Float32Array(data).buffer));
}

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  fs.mkdirSync(OUT, { recursive: true });
  const meta = { generator: 'tools/tfjs-reference/make-fixtures.js', tfjs: tf.version.tfjs, backend: tf.getBackend(), detector: {}, fr: {} };
  const samples = fs.readdirSync(path.join(ASSETS, 'samples')).filter((f) => /^sample\d\.jpg$/.test(f)).sort();
  const crops = [];
  for (const [variant, size] of [['back', 256], ['front', 128]]) {
    const model = await loadGraph('blazeface-' + variant);
    const perImage = {};
    for (const f of samples) {
      const img = readJpeg(path.join(ASSETS, 'samples', f));
      const lb = letterbox(img, size);
      if (f === 'sample1.jpg') { // raw-output parity: the exact network input (uint8) and its outputs
        const u8 = await tf.tidy(() => lb.tensor.round().clipByValue(0, 255)).data();
        fs.writeFileSync(path.join(OUT, `blazeface-${variant}-input.u8`), Buffer.from(Uint8Array.from(u8)));
        const rawFromU8 = await blazeRaw(model, tf.tensor4d(Float32Array.from(u8), [1, size, size, 3]));
        writeF32(`blazeface-${variant}-raw.f32`, rawFromU8);
        meta.detector[variant + 'FromInput'] = { image: f, faces: decode(rawFromU8, size, lb, 0.5) };
      }
      const raw = await blazeRaw(model, lb.tensor);
      const faces = decode(raw, size, lb, 0.5);
      perImage[f] = { width: img.shape[1], height: img.shape[0], faces };
      if (variant === 'back' && crops.length < 6) { // face crops for the FR parity fixtures
        for (const face of faces.slice(0, f === 'sample1.jpg' ? 2 : 1)) {
          const [h, w] = img.shape;
          const side = Math.max(face.width, face.height) * 1.2;
          const cx = face.x + face.width / 2; const cy = face.y + face.height / 2;
          const box = [[(cy - side / 2) / (h - 1), (cx - side / 2) / (w - 1), (cy + side / 2) / (h - 1), (cx + side / 2) / (w - 1)]];
          const crop = tf.tidy(() => tf.image.cropAndResize(img.expandDims(0), box, [0], [CROP, CROP]).round().clipByValue(0, 255));
          crops.push({ from: f, data: Uint8Array.from(await crop.data()) });
          crop.dispose();
          if (crops.length >= 6) break;
        }
      }
      tf.dispose([img, lb.tensor]);
    }
    meta.detector[variant] = { ...meta.detector[variant], inputSize: size, minScore: 0.5, iouThreshold: 0.3, images: perImage };
    model.dispose();
  }
  const cropBytes = Buffer.concat(crops.map((c) => Buffer.from(c.data)));
  fs.writeFileSync(path.join(OUT, 'fr-crops.u8'), cropBytes);
  meta.crops = { count: crops.length, size: CROP, layout: 'NHWC uint8 RGB', from: crops.map((c) => c.from) };

  // FR models: input = crop / 255 (NCHW [0,1] in Java), resized (legacy bilinear) to the model size, scaled
  // as Human does (faceres x255, mobilefacenet as is). Outputs: layer-1 map and last map of crop 0, descriptors of all.
  const fr = [
    { id: 'hse-faceres', file: 'faceres', size: 224, scale: 255, first: 'conv1_relu/clip_by_value', last: 'conv_pw_13_relu/clip_by_value', desc: 'global_pooling/Mean' },
    { id: 'faceres-deep', file: 'faceres-deep', size: 224, scale: 255, first: 'conv1_relu/clip_by_value', last: 'conv_pw_13_relu/clip_by_value', desc: 'global_pooling/Mean' },
    { id: 'mobilefacenet', file: 'mobilefacenet', size: 112, scale: 1, first: 'MobileFaceNet/MobileFaceNet/Conv2d_0/add', last: 'MobileFaceNet/MobileFaceNet/Conv2d_7/add', desc: 'embeddings' },
  ];
  for (const m of fr) {
    const model = await loadGraph(m.file);
    const x = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(Float32Array.from(cropBytes), [crops.length, CROP, CROP, 3]).div(255), [m.size, m.size], false, false).mul(m.scale));
    const [first, last, desc] = model.execute(x, [m.first, m.last, m.desc]);
    const firstT = tf.tidy(() => first.slice([0], [1]).transpose([0, 3, 1, 2])); // NCHW like the Java API
    const lastT = tf.tidy(() => last.slice([0], [1]).transpose([0, 3, 1, 2]));
    writeF32(`${m.id}-layer1.f32`, await firstT.data());
    writeF32(`${m.id}-last.f32`, await lastT.data());
    writeF32(`${m.id}-descriptors.f32`, await desc.data());
    meta.fr[m.id] = { model: m.file + '.json', inputSize: m.size, scale: m.scale, layer1: { node: m.first, shape: firstT.shape },
      last: { node: m.last, shape: lastT.shape }, descriptor: { node: m.desc, shape: desc.shape } };
    tf.dispose([x, first, last, desc, firstT, lastT]);
    model.dispose();
  }
  fs.writeFileSync(path.join(OUT, 'reference.json'), JSON.stringify(meta, null, 1));
  console.log('fixtures written to', OUT);
}

main().catch((e) => { console.error(e); process.exit(1); });
