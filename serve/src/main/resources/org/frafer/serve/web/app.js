// FRA-FER web page: plain JavaScript, no build step, no network access beyond this service.
'use strict';

const API = '/api/v1/emotions';
const PALETTE = ['#d62728', '#8c564b', '#2ca02c', '#9467bd', '#ff7f0e', '#7f7f7f', '#1f77b4', '#e377c2', '#17becf', '#bcbd22'];
let classes = [];

const $ = (id) => document.getElementById(id);

function colour(label) {
  const i = classes.indexOf(label);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
}

function apiHeaders(extra) {
  const h = Object.assign({}, extra || {});
  const key = localStorage.getItem('frafer-api-key');
  if (key) h['X-API-Key'] = key;
  return h;
}

async function loadModel() {
  try {
    const r = await fetch('/api/v1/model', { headers: apiHeaders() });
    if (r.status === 401) {
      $('key-row').hidden = false;
      $('model').textContent = 'enter the API key';
      return;
    }
    const m = await r.json();
    classes = m.classes;
    $('model').textContent = `model ${m.id} - ${m.arch}, fusion ${m.fusion}, ${m.inputSize} px, ${m.classes.length} classes`;
  } catch (e) {
    $('model').textContent = 'the service does not answer';
  }
}

// Sends one image (a File or Blob) as raw bytes; returns {json, ms} or throws an Error with the service's message.
async function classify(blob, name) {
  const t0 = performance.now();
  const url = name ? `${API}?name=${encodeURIComponent(name)}` : API;
  const r = await fetch(url, { method: 'POST', body: blob, headers: apiHeaders({ 'Content-Type': blob.type || 'application/octet-stream' }) });
  const ms = performance.now() - t0;
  let json;
  try { json = await r.json(); } catch (e) { json = { error: `HTTP ${r.status}` }; }
  if (r.status === 401) $('key-row').hidden = false;
  if (!r.ok) {
    const err = new Error(json.error || `HTTP ${r.status}`);
    err.status = r.status;
    throw err;
  }
  return { json, ms };
}

function drawFaces(ctx, faces, scale) {
  const lw = Math.max(2, Math.round(3 / scale));
  ctx.lineWidth = lw;
  ctx.font = `${Math.max(12, Math.round(16 / scale))}px sans-serif`;
  ctx.textBaseline = 'bottom';
  faces.forEach((f, i) => {
    const c = colour(f.label);
    const b = f.box;
    ctx.strokeStyle = c;
    ctx.strokeRect(b.x, b.y, b.width, b.height);
    const text = `${i + 1} ${f.label} ${(f.score * 100).toFixed(0)}%`;
    const tw = ctx.measureText(text).width + 8;
    const th = parseInt(ctx.font, 10) + 6;
    const y = b.y > th ? b.y : b.y + b.height + th;
    ctx.fillStyle = c;
    ctx.fillRect(b.x - lw / 2, y - th, tw, th);
    ctx.fillStyle = '#fff';
    ctx.fillText(text, b.x + 4, y - 3);
  });
}

function listFaces(ol, faces) {
  ol.innerHTML = '';
  faces.forEach((f, i) => {
    const li = document.createElement('li');
    li.className = 'face';
    li.dataset.label = f.label;
    const head = document.createElement('div');
    head.innerHTML = `<span class="label"></span> <span class="score"></span>`;
    head.querySelector('.label').textContent = f.label;
    head.querySelector('.score').textContent = `${(f.score * 100).toFixed(1)} %`;
    li.appendChild(head);
    Object.entries(f.probabilities).sort((a, b) => b[1] - a[1]).forEach(([name, p]) => {
      const row = document.createElement('div');
      row.className = 'bar';
      row.innerHTML = '<span class="name"></span><span class="track"><span class="fill"></span></span><span class="value"></span>';
      row.querySelector('.name').textContent = name;
      const fill = row.querySelector('.fill');
      fill.style.width = `${(p * 100).toFixed(1)}%`;
      fill.style.display = 'block';
      fill.style.background = colour(name);
      row.querySelector('.value').textContent = p.toFixed(2);
      li.appendChild(row);
    });
    ol.appendChild(li);
  });
}

function setStatus(el, text, isError) {
  el.textContent = text;
  el.classList.toggle('error', !!isError);
}

// ------------------------------------------------------------------ photo mode

async function showPhoto(file) {
  const status = $('status');
  if (!file) return;
  setStatus(status, `sending ${file.name}...`);
  const bitmapPromise = createImageBitmap(file).catch(() => null);
  try {
    const { json, ms } = await classify(file, file.name);
    const bitmap = await bitmapPromise;
    const canvas = $('photo-canvas');
    if (bitmap) {
      // The service answers in the upright (EXIF-rotated) frame, as does createImageBitmap by default.
      canvas.width = json.width;
      canvas.height = json.height;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(bitmap, 0, 0, json.width, json.height);
      drawFaces(ctx, json.faces, Math.min(1, 900 / json.width));
    }
    listFaces($('faces'), json.faces);
    window.fraferLast = json; // the last answer, for debugging in the console (and the browser test)
    const n = json.faces.length;
    setStatus(status, `${file.name}: ${n === 0 ? 'no face found' : n + (n === 1 ? ' face' : ' faces')} in ${ms.toFixed(0)} ms`);
    document.body.dataset.photoFaces = String(n);
  } catch (e) {
    setStatus(status, `${file.name}: ${e.message}`, true);
    document.body.dataset.photoFaces = 'error';
  }
}

function setUpPhotoMode() {
  $('file').addEventListener('change', (e) => showPhoto(e.target.files[0]));
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files.length > 0) showPhoto(e.dataTransfer.files[0]);
  });
}

// ------------------------------------------------------------------ webcam mode

let stream = null;
let timer = null;
let busy = false;

async function startWebcam() {
  const status = $('webcam-status');
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    setStatus(status, 'this browser gives no camera access here (needs https or localhost)', true);
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  } catch (e) {
    setStatus(status, `no camera: ${e.message}`, true);
    return;
  }
  const video = $('video');
  video.srcObject = stream;
  await video.play().catch(() => {});
  $('webcam-start').disabled = true;
  $('webcam-stop').disabled = false;
  setStatus(status, 'running');
  schedule();
}

function schedule() {
  clearInterval(timer);
  const fps = Math.min(10, Math.max(1, Number($('fps').value) || 3));
  timer = setInterval(sendFrame, 1000 / fps);
}

function stopWebcam() {
  clearInterval(timer);
  timer = null;
  if (stream) stream.getTracks().forEach((t) => t.stop());
  stream = null;
  $('webcam-start').disabled = false;
  $('webcam-stop').disabled = true;
  setStatus($('webcam-status'), 'stopped');
}

async function sendFrame() {
  const video = $('video');
  if (busy || !stream || video.videoWidth === 0) return; // one frame in flight at a time: no backlog
  busy = true;
  try {
    const grab = document.createElement('canvas');
    grab.width = video.videoWidth;
    grab.height = video.videoHeight;
    grab.getContext('2d').drawImage(video, 0, 0);
    const blob = await new Promise((res) => grab.toBlob(res, 'image/jpeg', 0.85));
    const { json, ms } = await classify(blob, 'webcam.jpg');
    $('rtt').textContent = ms.toFixed(0);
    const overlay = $('overlay');
    overlay.width = video.videoWidth;
    overlay.height = video.videoHeight;
    overlay.style.width = `${video.clientWidth}px`;
    overlay.style.height = `${video.clientHeight}px`;
    const ctx = overlay.getContext('2d');
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    drawFaces(ctx, json.faces, video.clientWidth / video.videoWidth || 1);
    listFaces($('webcam-faces'), json.faces);
    document.body.dataset.webcamFrames = String(Number(document.body.dataset.webcamFrames || 0) + 1);
  } catch (e) {
    setStatus($('webcam-status'), e.message + (e.status === 503 ? ' (busy; retrying)' : ''), true);
  } finally {
    busy = false;
  }
}

function setUpWebcamMode() {
  $('webcam-start').addEventListener('click', startWebcam);
  $('webcam-stop').addEventListener('click', stopWebcam);
  $('fps').addEventListener('change', () => { if (timer) schedule(); });
}

function setUpTabs() {
  const show = (webcam) => {
    $('photo-mode').hidden = webcam;
    $('webcam-mode').hidden = !webcam;
    $('tab-photo').classList.toggle('active', !webcam);
    $('tab-webcam').classList.toggle('active', webcam);
    if (!webcam && stream) stopWebcam();
  };
  $('tab-photo').addEventListener('click', () => show(false));
  $('tab-webcam').addEventListener('click', () => show(true));
}

$('api-key').addEventListener('change', (e) => {
  localStorage.setItem('frafer-api-key', e.target.value.trim());
  loadModel();
});
setUpTabs();
setUpPhotoMode();
setUpWebcamMode();
loadModel();
