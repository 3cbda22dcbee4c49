import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { AppError } from "@/lib/errors/app-error";
import { getLocalHour } from "@/lib/sim/circadian";
import { BENIGN_EPISODE_TYPES, EPISODE_TYPES, isClinicalEpisode, type TEpisode } from "@/lib/sim/episodes";
import { generateHeartRate } from "@/lib/sim/heart-rate";
import {
  createPatientHeartRateOptions,
  createRandomScenario,
  loadScenarioFile,
  parseScenario,
  ZScenarioSchema,
  type TScenario,
} from "@/lib/sim/scenario";

const DAY_S = 86_400;
const DEMO_FILE = path.resolve(import.meta.dirname, "../../lib/sim/scenarios/demo.json");

function validScenario(): TScenario {
  return {
    name: "unit",
    seed: 5,
    patients: [
      {
        patientKey: "p-1",
        episodes: [
          { type: "afib", startS: 100, durationS: 300 },
          { type: "stairs", startS: 1000, durationS: 90 },
        ],
      },
    ],
  };
}

/** The dotted paths of a ZodError's issues, unknown keys one path each. */
function issuePathsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    return error.issues.flatMap((issue) =>
      issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...issue.path, key].join(".")) : [issue.path.join(".")],
    );
  }
  throw new Error("expected a ZodError");
}

function findOverlaps(episodes: readonly TEpisode[]): [TEpisode, TEpisode][] {
  const sorted = [...episodes].sort((a, b) => a.startS - b.startS);
  const overlaps: [TEpisode, TEpisode][] = [];
  for (let index = 1; index < sorted.length; index += 1) {
    const previous = sorted[index - 1]!;
    if (sorted[index]!.startS < previous.startS + previous.durationS) overlaps.push([previous, sorted[index]!]);
  }
  return overlaps;
}

describe("createRandomScenario", () => {
  const options = { seed: 42, patientCount: 20, days: 10, clinicalEpisodesPerPatientDay: 0.5, benignEpisodesPerPatientDay: 1.5 };
  const scenario = createRandomScenario(options);
  const allEpisodes = scenario.patients.flatMap((patient) => patient.episodes);

  it("is valid per the schema, with unique patients", () => {
    expect(ZScenarioSchema.safeParse(scenario).success).toBe(true);
    expect(scenario.patients).toHaveLength(20);
    expect(new Set(scenario.patients.map((patient) => patient.patientKey)).size).toBe(20);
    for (const patient of scenario.patients) {
      expect(patient.restingBpm).toBeGreaterThanOrEqual(55);
      expect(patient.restingBpm).toBeLessThanOrEqual(80);
    }
  });

  it("places non-overlapping episodes inside the scenario's days, every type represented", () => {
    expect(scenario.patients.flatMap((patient) => findOverlaps(patient.episodes))).toEqual([]);
    expect(allEpisodes.filter((episode) => episode.startS < 0 || episode.startS + episode.durationS > options.days * DAY_S)).toEqual([]);
    expect(new Set(allEpisodes.map((episode) => episode.type))).toEqual(new Set(EPISODE_TYPES));
  });

  it("draws about the requested number of episodes with plausible durations", () => {
    const patientDays = options.patientCount * options.days;
    const clinical = allEpisodes.filter((episode) => isClinicalEpisode(episode.type));
    const benign = allEpisodes.filter((episode) => !isClinicalEpisode(episode.type));
    expect(clinical.length).toBeGreaterThan(patientDays * options.clinicalEpisodesPerPatientDay * 0.8);
    expect(clinical.length).toBeLessThanOrEqual(patientDays * options.clinicalEpisodesPerPatientDay * 1.2);
    expect(benign.length).toBeGreaterThan(patientDays * options.benignEpisodesPerPatientDay * 0.8);
    expect(clinical.filter((episode) => episode.durationS < 60 || episode.durationS > 30 * 60)).toEqual([]);
    const typicalClinical = clinical.filter((episode) => episode.durationS >= 120 && episode.durationS <= 1200);
    expect(typicalClinical.length).toBeGreaterThan(clinical.length * 0.7);
    const stairs = benign.filter((item) => item.type === "stairs");
    const workouts = benign.filter((item) => item.type === "workout");
    expect(stairs.filter((episode) => episode.durationS < 60 || episode.durationS > 120)).toEqual([]);
    expect(workouts.filter((episode) => episode.durationS < 20 * 60 || episode.durationS > 60 * 60)).toEqual([]);
  });

  it("puts stairs and workouts in waking hours", () => {
    const exercise = allEpisodes.filter((item) => item.type === "stairs" || item.type === "workout");
    expect(exercise.length).toBeGreaterThan(100);
    const outsideWakingHours = exercise.filter((episode) => {
      const startHour = getLocalHour({ epochMs: episode.startS * 1000 });
      const endHour = getLocalHour({ epochMs: (episode.startS + episode.durationS) * 1000 });
      return startHour < 7.5 || endHour > 21.5 || endHour < startHour;
    });
    expect(outsideWakingHours).toEqual([]);
  });

  it("is reproducible from its seed and differs for another seed", () => {
    expect(createRandomScenario(options)).toEqual(scenario);
    expect(createRandomScenario({ ...options, seed: 43 }).patients).not.toEqual(scenario.patients);
  });

  it("respects the patient's time zone for exercise", () => {
    const utcOffsetMinutes = -360;
    const shifted = createRandomScenario({ ...options, patientCount: 5, utcOffsetMinutes });
    const exercise = shifted.patients.flatMap((patient) => patient.episodes).filter((item) => item.type === "workout");
    expect(exercise.length).toBeGreaterThan(0);
    const localStartHours = exercise.map((episode) => getLocalHour({ epochMs: episode.startS * 1000, utcOffsetMinutes }));
    expect(localStartHours.filter((hour) => hour < 7.5 || hour >= 21.5)).toEqual([]);
  });

  it("creates no episodes at zero rates, and only look-alikes when only benign ones are asked for", () => {
    const quiet = createRandomScenario({ ...options, clinicalEpisodesPerPatientDay: 0, benignEpisodesPerPatientDay: 0 });
    expect(quiet.patients.every((patient) => patient.episodes.length === 0)).toBe(true);
    const benignOnly = createRandomScenario({ ...options, patientCount: 3, clinicalEpisodesPerPatientDay: 0 });
    const types = new Set(benignOnly.patients.flatMap((patient) => patient.episodes.map((episode) => episode.type)));
    expect(types).toEqual(new Set(BENIGN_EPISODE_TYPES));
  });
});

describe("parseScenario", () => {
  it("accepts a valid scenario, as an object or as JSON text", () => {
    expect(parseScenario(validScenario())).toEqual(validScenario());
    expect(parseScenario(JSON.stringify(validScenario()))).toEqual(validScenario());
  });

  it("rejects bad input with the path of each bad field", () => {
    const scenario = validScenario() as unknown as { patients: Record<string, unknown>[] } & Record<string, unknown>;
    const bad = {
      ...scenario,
      speedup: -1,
      extra: true,
      patients: [
        { ...scenario.patients[0], restingBpm: "60", episodes: [{ type: "vtach", startS: -5, durationS: 0 }] },
        { patientKey: "p-2", episodes: [{ type: "afib", startS: 0, durationS: 60, note: "x" }] },
      ],
    };
    expect(issuePathsOf(() => parseScenario(bad)).sort()).toEqual(
      [
        "extra",
        "patients.0.episodes.0.durationS",
        "patients.0.episodes.0.startS",
        "patients.0.episodes.0.type",
        "patients.0.restingBpm",
        "patients.1.episodes.0.note",
        "speedup",
      ].sort(),
    );
  });

  it("rejects overlapping episodes and duplicate patients, naming the offending entry", () => {
    const overlapping = validScenario();
    overlapping.patients[0]!.episodes.push({ type: "workout", startS: 350, durationS: 200 });
    expect(issuePathsOf(() => parseScenario(overlapping))).toEqual(["patients.0.episodes.2.startS"]);
    const duplicated = validScenario();
    duplicated.patients.push({ patientKey: "p-1", episodes: [] });
    expect(issuePathsOf(() => parseScenario(duplicated))).toEqual(["patients.1.patientKey"]);
    expect(issuePathsOf(() => parseScenario({ name: "x", seed: 1, patients: [] }))).toEqual(["patients"]);
  });

  it("turns unreadable JSON text into MALFORMED_JSON", () => {
    expect(() => parseScenario("{ not json")).toThrow(AppError);
    try {
      parseScenario("{ not json");
    } catch (error) {
      expect((error as AppError).code).toBe("MALFORMED_JSON");
    }
  });
});

describe("loadScenarioFile", () => {
  it("loads the demo: 6 patients over one day, clinical episodes and look-alikes", () => {
    const demo = loadScenarioFile(DEMO_FILE);
    expect(demo.patients).toHaveLength(6);
    const types = new Set(demo.patients.flatMap((patient) => patient.episodes.map((episode) => episode.type)));
    expect(types).toEqual(new Set(EPISODE_TYPES));
    const pastOneDay = demo.patients.flatMap((patient) => patient.episodes).filter((episode) => episode.startS + episode.durationS > DAY_S);
    expect(pastOneDay).toEqual([]);
    // At least one patient has only look-alikes: a control that must raise no alarm.
    expect(demo.patients.some((patient) => patient.episodes.length > 0 && patient.episodes.every((episode) => !isClinicalEpisode(episode.type)))).toBe(true);
  });

  it("reports a bad file with its name and every bad field", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "pulseguard-scenario-"));
    const file = path.join(folder, "bad.json");
    writeFileSync(file, JSON.stringify({ name: "bad", seed: 1, patients: [{ patientKey: "a", episodes: [{ type: "flutter", startS: 0, durationS: 10 }] }] }));
    let caught: unknown;
    try {
      loadScenarioFile(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    const appError = caught as AppError;
    expect(appError.code).toBe("VALIDATION_FAILED");
    expect(appError.fields?.map((field) => field.path)).toEqual(["patients.0.episodes.0.type"]);
    expect(appError.message).toContain(file);
    expect(appError.message).toContain("patients.0.episodes.0.type");

    expect(() => loadScenarioFile(path.join(folder, "missing.json"))).toThrow(/Cannot read scenario file/);
    const broken = path.join(folder, "broken.json");
    writeFileSync(broken, "{");
    expect(() => loadScenarioFile(broken)).toThrow(expect.objectContaining({ code: "MALFORMED_JSON" }));
  });
});

describe("createPatientHeartRateOptions", () => {
  it("plays a scenario patient: truth follows the episodes, seeds differ per patient", () => {
    const demo = loadScenarioFile(DEMO_FILE);
    const patient = demo.patients[1]!;
    const lastEndS = Math.max(...patient.episodes.map((episode) => episode.startS + episode.durationS));
    const series = generateHeartRate(createPatientHeartRateOptions({ scenario: demo, patient }), lastEndS + 60);
    series.truth.forEach((label, tS) => {
      const active = patient.episodes.find((episode) => tS >= episode.startS && tS < episode.startS + episode.durationS);
      if (label !== (active?.type ?? null)) throw new Error(`truth at ${tS} is ${label}`);
    });
    const first = createPatientHeartRateOptions({ scenario: demo, patient: demo.patients[0]! });
    const second = createPatientHeartRateOptions({ scenario: demo, patient });
    expect(first.seed).not.toEqual(second.seed);
    expect(second.restingBpm).toBe(patient.restingBpm);
    expect(second.startEpochMs).toBe(demo.startEpochMs);
    expect(createPatientHeartRateOptions({ scenario: { ...demo, startEpochMs: undefined }, patient, fallbackStartEpochMs: 123 }).startEpochMs).toBe(123);
  });
});
