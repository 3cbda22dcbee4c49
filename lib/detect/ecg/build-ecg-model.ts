// The tier-2 network: a small 1D-CNN over the normalised 125 Hz strip plus the RR features.
//
// The convolutions are "patch" convolutions (kernel = stride, no overlap), four of them, each
// looking at a wider span: 24 ms (3 samples), 120 ms (a QRS), 600 ms (a beat) and 3 s (a few beats);
// average and max pooling over the ten 3 s steps then summarise the strip. Two reasons for kernel =
// stride: (1) a convolution whose kernel equals its stride is exactly a reshape followed by a dense
// layer, so the network can be trained on the tfjs WASM backend, which has matrix-multiply gradients
// but no conv backprop, ~7x faster than the pure-JS CPU backend measured on this machine (3.6 vs 26.6
// ms per strip per epoch) and the only way to train it within 15 minutes on two cores; (2) the
// deployed form (real conv1d layers with the same weights) costs ~1 M multiply-adds per strip.
// Translation invariance comes from the data: beats fall at random phases against the patch grid.
//
// buildEcgModel({ form: "training" }) gives the reshape + dense form; form "inference" the conv1d form
// that is saved and served; copyTrainingWeights moves weights from the first to the second.
import * as tf from "@tensorflow/tfjs";
import { ECG_CLASSES } from "./ecg-classes";
import { MODEL_INPUT_LENGTH, RR_FEATURE_COUNT } from "./ecg-input-spec";

/** [kernel = stride in samples, filters] per convolution stage. 3 * 5 * 5 * 5 = 375 divides 3750. */
export const ECG_MODEL_STAGES: readonly (readonly [number, number])[] = [
  [3, 16],
  [5, 32],
  [5, 48],
  [5, 64],
];
// Widened for real recordings (v2: 33k parameters, 132 KB fp32, against 19k for the simulator-only v1):
// real morphology varies far more than the simulator's, and a phone-sized budget (200 KB) allows it.
export const ECG_MODEL_HIDDEN_UNITS = 48;
// L2 on the dense head: real recordings are few (thousands) for the head's size; shrinkage keeps it from
// leaning on any single feature.
const L2 = 3e-4;
const DROPOUT = 0.2;

export const ECG_MODEL_INPUT_NAMES = { signal: "ecg_signal", rrFeatures: "rr_features" } as const;

type TSymbolic = tf.SymbolicTensor;

export function buildEcgModel(options: { form: "training" | "inference"; seed: number }): tf.LayersModel {
  const { form, seed } = options;
  const signal = tf.input({ shape: [MODEL_INPUT_LENGTH, 1], name: ECG_MODEL_INPUT_NAMES.signal });
  const rrFeatures = tf.input({ shape: [RR_FEATURE_COUNT], name: ECG_MODEL_INPUT_NAMES.rrFeatures });
  let x: TSymbolic = signal;
  let steps = MODEL_INPUT_LENGTH;
  let channels = 1;
  ECG_MODEL_STAGES.forEach(([kernel, filters], index) => {
    const name = `stage${index + 1}`;
    const kernelInitializer = tf.initializers.heNormal({ seed: seed + index });
    if (form === "inference") {
      x = tf.layers.conv1d({ name, filters, kernelSize: kernel, strides: kernel, padding: "valid", activation: "relu", kernelInitializer }).apply(x) as TSymbolic;
    } else {
      x = tf.layers.reshape({ name: `${name}_patches`, targetShape: [steps / kernel, kernel * channels] }).apply(x) as TSymbolic;
      x = tf.layers.dense({ name, units: filters, activation: "relu", kernelInitializer }).apply(x) as TSymbolic;
    }
    steps /= kernel;
    channels = filters;
  });
  const pooled = tf.layers
    .concatenate({ name: "pooled" })
    .apply([
      tf.layers.globalAveragePooling1d({ name: "average_pool" }).apply(x) as TSymbolic,
      tf.layers.globalMaxPooling1d({ name: "max_pool" }).apply(x) as TSymbolic,
      rrFeatures,
    ]) as TSymbolic;
  // Dropout (active in training only) against memorising real strips; served models ignore it.
  const dropped = tf.layers.dropout({ name: "pooled_dropout", rate: DROPOUT, seed: seed + 50 }).apply(pooled) as TSymbolic;
  const hidden = tf.layers
    .dense({
      name: "head_hidden",
      units: ECG_MODEL_HIDDEN_UNITS,
      activation: "relu",
      kernelInitializer: tf.initializers.heNormal({ seed: seed + 100 }),
      kernelRegularizer: tf.regularizers.l2({ l2: L2 }),
    })
    .apply(dropped) as TSymbolic;
  const hiddenDropped = tf.layers.dropout({ name: "hidden_dropout", rate: DROPOUT, seed: seed + 51 }).apply(hidden) as TSymbolic;
  const output = tf.layers
    .dense({
      name: "head_output",
      units: ECG_CLASSES.length,
      activation: "softmax",
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 101 }),
      kernelRegularizer: tf.regularizers.l2({ l2: L2 }),
    })
    .apply(hiddenDropped) as TSymbolic;
  return tf.model({ name: "ecg_cnn", inputs: [signal, rrFeatures], outputs: output });
}

/** Copies a trained "training"-form model into an "inference"-form one (dense kernel [k*c, f] = conv kernel [k, c, f]). */
export function copyTrainingWeights(options: { from: tf.LayersModel; to: tf.LayersModel }) {
  const { from, to } = options;
  let channels = 1;
  ECG_MODEL_STAGES.forEach(([kernel, filters], index) => {
    const name = `stage${index + 1}`;
    const [denseKernel, bias] = from.getLayer(name).getWeights();
    if (!denseKernel || !bias) throw new Error(`${name} has no weights`);
    const convKernel = tf.reshape(denseKernel, [kernel, channels, filters]);
    to.getLayer(name).setWeights([convKernel, bias]);
    convKernel.dispose();
    channels = filters;
  });
  for (const name of ["head_hidden", "head_output"]) to.getLayer(name).setWeights(from.getLayer(name).getWeights());
}
