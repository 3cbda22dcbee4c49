import * as tf from "@tensorflow/tfjs";
import { AppError } from "../../../errors/app-error";
import { ECG_WEIGHT_LAYER_NAMES } from "./ecg-weight-layout";

/** Loads a flat vector (getEcgWeightVector's order, i.e. weights.bin's) into an ECG model of either form. */
export function setEcgWeightVector(model: tf.LayersModel, vector: Float32Array): void {
  const expected = model.countParams();
  if (vector.length !== expected) throw new AppError("VALIDATION_FAILED", { message: `weight vector has ${vector.length} values, the model ${expected}` });
  let offset = 0;
  for (const name of ECG_WEIGHT_LAYER_NAMES) {
    const layer = model.getLayer(name);
    const tensors = layer.getWeights().map((current) => {
      const size = current.size;
      const tensor = tf.tensor(vector.subarray(offset, offset + size), current.shape, "float32");
      offset += size;
      return tensor;
    });
    layer.setWeights(tensors);
    tensors.forEach((tensor) => tensor.dispose());
  }
  if (offset !== vector.length) throw new AppError("VALIDATION_FAILED", { message: "weight vector does not match the model's layers" });
}
