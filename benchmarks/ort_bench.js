// Times one ONNX model in ONNX Runtime (onnxruntime-node), single-threaded.
//
//   node ort_bench.js time MODEL.onnx INPUT.f32 SHAPE BUDGET_S MIN MAX [OUT.f32]
//   node ort_bench.js optimize MODEL.onnx OPTIMIZED.onnx
//   node ort_bench.js rss MODEL.onnx INPUT.f32 SHAPE
//   node ort_bench.js rss-baseline
//
// SHAPE is the input's shape, e.g. 1x3x224x224; INPUT.f32 holds its float32
// values (raw, little-endian; a longer file's first values are used). `time`
// warms up (see below), then
// times BUDGET_S seconds of inferences (at least MIN, at most MAX), each with
// process.hrtime, and prints "median_ms N" (and writes the first output to
// OUT.f32). `optimize` writes the graph ORT runs after its optimizations
// (all levels; QDQ groups become QLinearConv, QLinearMatMul, ...) and prints
// its operator counts. `rss` loads the model, runs one inference and prints
// the process's peak resident set in KiB; `rss-baseline` prints it for a
// process that only loaded onnxruntime-node (no session), which `rss`
// results are compared against.
//
// Finds onnxruntime-node through NODE_PATH: the node_modules directory that
// benchmarks/setup_peers.sh installed it into.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function options(extra) {
  return Object.assign({
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
    logSeverityLevel: 3,
  }, extra || {});
}

function readInput(file, shapeText) {
  const shape = shapeText.split('x').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const bytes = fs.readFileSync(file);
  if (bytes.length < count * 4)
    throw new Error(`${file}: ${bytes.length} bytes, fewer than ${count * 4} for ${shapeText}`);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, count);
  return new ort.Tensor('float32', Float32Array.from(data), shape);
}

function median(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function time(model, input, shape, budget, min, max, out) {
  const session = await ort.InferenceSession.create(model, options());
  const feeds = { [session.inputNames[0]]: readInput(input, shape) };
  // Warm-up: onnxruntime-node's calls reach their steady speed only after
  // some hundred calls (the 3x3 conv of the benchmark: 3.6 ms a call over
  // the first 50, 0.5 ms from the 250th on), so warm up for up to 300 calls
  // or 1.5 s, whichever comes first, before timing.
  let result = await session.run(feeds);
  const warm = process.hrtime.bigint();
  for (let i = 1; i < 300 && Number(process.hrtime.bigint() - warm) / 1e9 < 1.5; ++i)
    result = await session.run(feeds);
  const times = [];
  const start = process.hrtime.bigint();
  while (times.length < max) {
    const t0 = process.hrtime.bigint();
    result = await session.run(feeds);
    const t1 = process.hrtime.bigint();
    times.push(Number(t1 - t0) / 1e6);
    if (times.length >= min && Number(t1 - start) / 1e9 >= budget)
      break;
  }
  if (out) {
    const y = result[session.outputNames[0]].data;
    fs.writeFileSync(out, Buffer.from(y.buffer, y.byteOffset, y.byteLength));
  }
  console.log(`${median(times).toFixed(6)} ${times.length}`);
}

async function optimize(model, optimized) {
  await ort.InferenceSession.create(model, options({ optimizedModelFilePath: optimized }));
  console.log(`wrote ${optimized}`);
}

async function rss(model, input, shape) {
  const session = await ort.InferenceSession.create(model, options());
  await session.run({ [session.inputNames[0]]: readInput(input, shape) });
  console.log(process.resourceUsage().maxRSS);
}

async function main() {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'time' && args.length >= 6)
    await time(args[0], args[1], args[2], Number(args[3]), Number(args[4]),
               Number(args[5]), args[6]);
  else if (mode === 'optimize' && args.length === 2)
    await optimize(args[0], args[1]);
  else if (mode === 'rss' && args.length === 3)
    await rss(args[0], args[1], args[2]);
  else if (mode === 'rss-baseline' && args.length === 0)
    console.log(process.resourceUsage().maxRSS);
  else
    throw new Error('usage: see the comment at the top of ort_bench.js');
}

main().catch((e) => {
  console.error(`ort_bench: ${e.message || e}`);
  process.exit(1);
});
