import type { THeartRateOptions } from "../../lib/sim/heart-rate";
import type { TScenario } from "../../lib/sim/scenario";
import type { TCohortDevice } from "./run-cohort";

/**
 * Gives each patient one of the scenario's stories: patients take the scenario's patients in the order
 * they first appear among the devices (cycling when there are more patients than stories), so every
 * device a patient wears follows the same story.
 */
export function heartRateFromScenario(scenario: TScenario | undefined, devices: TCohortDevice[]) {
  const patientOrder = [...new Set(devices.map((device) => device.patientId))];
  return (device: TCohortDevice): Partial<Omit<THeartRateOptions, "startEpochMs" | "seed">> => {
    if (!scenario) return {};
    const patient = scenario.patients[patientOrder.indexOf(device.patientId) % scenario.patients.length]!;
    return { episodes: patient.episodes, restingBpm: patient.restingBpm, ageYears: patient.ageYears, utcOffsetMinutes: patient.utcOffsetMinutes };
  };
}
